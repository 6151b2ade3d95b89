using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// <c>WORKDIR</c> other than <c>/</c>: writes the working directory and its missing parents, owned by the stage's
/// user, in a layer of its own, as BuildKit does even when the directory exists.
/// </summary>
internal sealed class WorkdirStepExecutor(ExecutionOptions options, BuildWarnings warnings) : IStepExecutor
{
    /// <inheritdoc />
    public bool Handles(StepLayerKind kind) => kind == StepLayerKind.CreateWorkdir;

    /// <inheritdoc />
    public async Task<ILayer?> ExecuteAsync(StageContext stage, StepPlan step, AppliedStep applied, CancellationToken cancellationToken)
    {
        var filesystem = stage.Filesystem;
        var run = stage.Run;
        var workdir = applied.Workdir!;
        var owner = CopyOwner.Root;
        if (workdir.User.Length > 0)
        {
            var spec = ChownSpec.Parse(workdir.User);
            var users = spec.NeedsLookup ? await StageUsers.ReadAsync(run, cancellationToken).ConfigureAwait(false) : EtcUserDatabase.Empty;
            var found = new List<BuildWarning>();
            owner = spec.ResolveOrRoot(users, found, applied.Instruction.Range);
            foreach (var warning in found)
            {
                warnings.Add(warning);
            }
        }

        // BuildKit creates the missing parents of the working directory as the user too, and leaves an existing
        // directory alone: both need the base tree. A stage that runs commands downloads its base anyway (the
        // headers are read from the same cached blobs), so it always learns the tree and WORKDIR /tmp keeps 1777;
        // a COPY-only stage reads it only for another owner, so that it downloads no base layer.
        if (owner != CopyOwner.Root || run.Stage.Steps.Any(s => s.Instruction is RunInstruction))
        {
            await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        // BuildKit's mkdir follows the stage's links: WORKDIR /bin/app on a merged-/usr image makes /usr/bin/app.
        var path = filesystem.Resolve(ContainerPath.Parse(workdir.Path));
        var time = options.FixedFileTime ?? options.Created;
        var entries = new List<LayerEntry>();
        foreach (var directory in filesystem.MissingAncestors(path))
        {
            entries.Add(LayerEntry.Directory(directory.Value) with { Uid = owner.Uid, Gid = owner.Gid, ModificationTime = time });
            filesystem.AddDirectory(directory, LayerEntry.DefaultDirectoryMode, owner);
        }

        // Parents left out of the layer (the stage does not know its base tree) exist once it is applied: a later
        // WORKDIR for another user must not create them again with its owner.
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
        {
            filesystem.NoteDirectory(parent);
        }

        // An existing working directory keeps its mode and owner, as BuildKit's mkdir leaves it alone.
        var (mode, pathOwner) = filesystem.TryGetDirectory(path, out var existing) ? existing : (LayerEntry.DefaultDirectoryMode, owner);
        entries.Add(LayerEntry.Directory(path.Value, mode) with { Uid = pathOwner.Uid, Gid = pathOwner.Gid, ModificationTime = time });
        filesystem.AddDirectory(path, mode, pathOwner);

        return await run.Writer.WriteAsync(entries, cancellationToken).ConfigureAwait(false);
    }
}
