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
/// user, in a layer of its own, as BuildKit does even when the directory exists. In a stage that runs commands, the
/// stage's root is made ready (<see cref="RunStepExecutor.PrepareRootAsync"/>, given as <c>prepareRoot</c>) before the
/// base's tree is read.
/// </summary>
internal sealed class WorkdirStepExecutor(ExecutionOptions options, BuildWarnings warnings, Func<StageRun, CancellationToken, Task>? prepareRoot = null) : IStepExecutor
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
        // directory alone: both need the base tree. A stage that runs commands wants it (so WORKDIR /tmp keeps 1777);
        // a COPY-only stage reads it only for another owner, so that it downloads no base layer.
        var time = options.FixedFileTime ?? options.Created;
        var layerIndex = run.Layers.Count;
        var runsCommands = run.Stage.Steps.Any(s => s.Instruction is RunInstruction);
        if ((owner == CopyOwner.Root && !runsCommands) || filesystem.IsComplete)
        {
            return await run.Writer.WriteAsync(Plan(filesystem, workdir.Path, owner, time, layerIndex).Entries, cancellationToken).ConfigureAwait(false);
        }

        if (filesystem.IsDeferred)
        {
            // An earlier step found its layer in the cache instead of reading the tree: below a fresh directory the
            // stage knows what the tree would say.
            var probe = filesystem.Probe();
            var planned = Plan(probe, workdir.Path, owner, time, layerIndex);
            if (!probe.TouchedUnknown)
            {
                filesystem.Adopt(probe);
                return await run.Writer.WriteAsync(planned.Entries, cancellationToken).ConfigureAwait(false);
            }
        }

        // When all the stage's RUN steps hit the cache, nothing else needs the base: a cached layer spares the read.
        return await run.LayerCache.WorkdirAsync(
            applied.Instruction,
            changes =>
            {
                filesystem.Record(changes, layerIndex);
                NoteParents(filesystem, ContainerPath.Parse(changes[^1].Path));
                filesystem.Defer();
            },
            async () =>
            {
                if (runsCommands && !filesystem.IsComplete && prepareRoot is not null)
                {
                    // A miss here is a miss of the stage's RUN steps too (their keys follow this layer's): the base
                    // is unpacked for them now, and the tree read from the headers kept meanwhile.
                    await prepareRoot(run, cancellationToken).ConfigureAwait(false);
                }

                await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
                var planned = Plan(filesystem, workdir.Path, owner, time, layerIndex);
                return (await run.Writer.WriteAsync(planned.Entries, cancellationToken).ConfigureAwait(false), planned.Changes);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The entries of the step's layer, recorded in <paramref name="filesystem"/>, and the directories they write as
    /// changes (added where nothing was: fresh, made by layer <paramref name="layerIndex"/>) for the layer cache.
    /// </summary>
    private static (List<LayerEntry> Entries, List<FileChange> Changes) Plan(
        StageFilesystem filesystem, string workdirPath, CopyOwner owner, DateTimeOffset time, int layerIndex)
    {
        // BuildKit's mkdir follows the stage's links: WORKDIR /bin/app on a merged-/usr image makes /usr/bin/app.
        var path = filesystem.Resolve(ContainerPath.Parse(workdirPath));
        var entries = new List<LayerEntry>();
        var changes = new List<FileChange>();
        foreach (var directory in filesystem.MissingAncestors(path))
        {
            entries.Add(LayerEntry.Directory(directory.Value) with { Uid = owner.Uid, Gid = owner.Gid, ModificationTime = time });
            filesystem.AddDirectory(directory, LayerEntry.DefaultDirectoryMode, owner);
            filesystem.MarkFresh(directory, layerIndex);
            changes.Add(Change(directory, FileChangeKind.Added, LayerEntry.DefaultDirectoryMode, owner));
        }

        // Parents left out of the layer (the stage does not know its base tree) exist once it is applied: a later
        // WORKDIR for another user must not create them again with its owner.
        NoteParents(filesystem, path);

        // An existing working directory keeps its mode and owner, as BuildKit's mkdir leaves it alone.
        var exists = filesystem.TryGetDirectory(path, out var existing);
        var (mode, pathOwner) = exists ? existing : (LayerEntry.DefaultDirectoryMode, owner);
        entries.Add(LayerEntry.Directory(path.Value, mode) with { Uid = pathOwner.Uid, Gid = pathOwner.Gid, ModificationTime = time });
        filesystem.AddDirectory(path, mode, pathOwner);
        var fresh = !exists && filesystem.IsComplete;
        if (fresh)
        {
            filesystem.MarkFresh(path, layerIndex);
        }

        changes.Add(Change(path, fresh ? FileChangeKind.Added : FileChangeKind.Modified, mode, pathOwner));
        return (entries, changes);
    }

    private static void NoteParents(StageFilesystem filesystem, ContainerPath path)
    {
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
        {
            filesystem.NoteDirectory(parent);
        }
    }

    private static FileChange Change(ContainerPath path, FileChangeKind kind, UnixFileMode mode, CopyOwner owner) =>
        new(path.Value, kind, new FileEntryMetadata(FileEntryKind.Directory, mode, owner.Uid, owner.Gid, 0, 0, 0, 0, 0, 0, 1, null));
}
