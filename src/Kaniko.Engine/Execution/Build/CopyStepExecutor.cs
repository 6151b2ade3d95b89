using System.Globalization;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// <c>COPY</c> and <c>ADD</c>: plans the copy over the build context (or, for <c>COPY --from</c>, over the files of
/// an earlier stage or an image), fetches <c>ADD</c>'s remote sources, and writes the copied files as the step's
/// layer through the stage's layer cache.
/// </summary>
/// <param name="options">Layers, times, fetching.</param>
/// <param name="context">The build context, for file contents.</param>
/// <param name="tree">The build context's entries, read once.</param>
/// <param name="archives">Unpacks the archives <c>ADD</c> extracts.</param>
/// <param name="snapshots">The files of earlier stages and images, for <c>COPY --from</c>.</param>
/// <param name="warnings">Collects the copies' warnings.</param>
internal sealed class CopyStepExecutor(
    ExecutionOptions options, IBuildContext context, BuildContextTree tree, ArchiveExtractor archives, SourceSnapshots snapshots, BuildWarnings warnings)
    : IStepExecutor, IDisposable
{
    private readonly RemoteAddSources _remote = new(options.WorkDirectory, archives);

    /// <inheritdoc />
    public bool Handles(StepLayerKind kind) => kind is StepLayerKind.Copy or StepLayerKind.Add;

    /// <inheritdoc />
    public async Task<ILayer?> ExecuteAsync(StageContext stage, StepPlan step, AppliedStep applied, CancellationToken cancellationToken) =>
        applied.Layer == StepLayerKind.Copy && applied.Instruction is CopyInstruction { From: not null } copyFrom
            ? await CopyFromAsync(stage, copyFrom, step, cancellationToken).ConfigureAwait(false)
            : await CopyAsync(stage, applied.Instruction, cancellationToken).ConfigureAwait(false);

    private Task<ILayer> CopyAsync(StageContext stage, Instruction instruction, CancellationToken cancellationToken)
    {
        var workdir = WorkingDirectory(stage.State);
        var filesystem = stage.Filesystem;
        if (instruction is AddInstruction { Checksum: not null } checksummed)
        {
            CheckChecksumSources(checksummed);
        }

        if (instruction is AddInstruction add && add.Sources.SourcePaths.Any(RemoteAddSources.IsRemote))
        {
            var remote = add.Sources.SourcePaths.Where(RemoteAddSources.IsRemote).ToList();
            var local = CopyRequest.FromInstruction(add, workdir) with { SourcePaths = [.. add.Sources.SourcePaths.Where(s => !RemoteAddSources.IsRemote(s))] };
            return WriteCopyLayerAsync(local, tree, context, null, instruction, stage, cancellationToken, async plan =>
            {
                if (!plan.DestinationIsDirectory && !filesystem.IsDirectory(plan.Destination) && !filesystem.IsComplete)
                {
                    await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                var intoDirectory = plan.DestinationIsDirectory || filesystem.IsDirectory(plan.Destination);
                return await _remote.FetchAsync(add, remote, plan.Destination, intoDirectory, plan.Owner, options.FixedFileTime, cancellationToken).ConfigureAwait(false);
            });
        }

        var request = instruction switch
        {
            CopyInstruction copy => CopyRequest.FromInstruction(copy, workdir),
            AddInstruction addLocal => CopyRequest.FromInstruction(addLocal, workdir),
            _ => throw new InvalidOperationException("not a COPY or ADD: " + instruction.Name),
        };
        return WriteCopyLayerAsync(request, tree, context, null, instruction, stage, cancellationToken);
    }

    // BuildKit checks --checksum before anything is fetched: one source, a URL or a git repository.
    private static void CheckChecksumSources(AddInstruction add)
    {
        var sources = add.Sources.SourcePaths;
        if (sources.Count != 1)
        {
            throw new KanikoException(DiagnosticCodes.AddChecksumSeveralSources, Strings.AddChecksumSeveralSources, add.Range);
        }

        if (!RemoteAddSources.IsRemote(sources[0]))
        {
            throw new KanikoException(DiagnosticCodes.AddChecksumNeedsRemoteSource,
                string.Format(CultureInfo.InvariantCulture, Strings.AddChecksumNeedsRemoteSource, sources[0]), add.Range);
        }
    }

    /// <summary><c>COPY --from</c>: the same rules over the files of an earlier stage or of an image, owners kept unless <c>--chown</c>.</summary>
    private async Task<ILayer> CopyFromAsync(StageContext stage, CopyInstruction copy, StepPlan step, CancellationToken cancellationToken)
    {
        var snapshot = await snapshots.GetAsync(
            stage.Platform, copy.From!, step, stage.Earlier, copy.Range, cancellationToken, copy.Sources.SourcePaths).ConfigureAwait(false);
        var request = CopyRequest.FromInstruction(copy with { From = null }, WorkingDirectory(stage.State));
        return await WriteCopyLayerAsync(request, snapshot.Tree, snapshot.Snapshot, snapshot.Snapshot, copy, stage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether writing <paramref name="plan"/> needs to know which directories the base has: when the directories
    /// the copy creates, or those it copies, would get another owner or mode than the runtime gives a missing parent
    /// (root, 0755), or when a copied directory is empty (it must then be written, over any base metadata).
    /// </summary>
    private static bool NeedsBaseTree(CopyPlan plan)
    {
        if (plan.Owner != CopyOwner.Root || plan.CreatedDirectoryMode != LayerEntry.DefaultDirectoryMode)
        {
            return true;
        }

        var parents = plan.Items.Select(i => i.Destination.Parent).ToHashSet();
        return plan.Items.Any(d => d.Kind == CopyItemKind.Directory
            && (d.Owner != CopyOwner.Root || d.Mode != LayerEntry.DefaultDirectoryMode || !parents.Contains(d.Destination)));
    }

    /// <summary>
    /// BuildKit keeps the owners of what is copied from a stage or an image (files and directories alike) unless
    /// <c>--chown</c> is given; the destination it creates is root's.
    /// </summary>
    private static CopyPlan WithSourceOwners(CopyPlan plan, ImageSnapshot? owners, CopyRequest request) =>
        owners is null || request.Chown is not null
            ? plan
            : plan with
            {
                Items = [.. plan.Items.Select(item => item.Kind == CopyItemKind.Directory && item.Destination == plan.Destination
                    ? item
                    : item with { Owner = owners.OwnerOf(item.Source) })],
            };

    private static ContainerPath WorkingDirectory(ImageConfigState state) =>
        ContainerPath.Parse(string.IsNullOrEmpty(state.Config.Config?.WorkingDir) ? "/" : state.Config.Config!.WorkingDir!);

    private async Task<ILayer> WriteCopyLayerAsync(
        CopyRequest request, BuildContextTree sourceTree, IBuildContext source, ImageSnapshot? owners, Instruction instruction,
        StageContext stage, CancellationToken cancellationToken,
        Func<CopyPlan, Task<RemoteAddContent>>? remoteEntries = null)
    {
        var users = request.Chown is { } chown && ChownSpec.Parse(chown).NeedsLookup
            ? await StageUsers.ReadAsync(stage.Run, cancellationToken).ConfigureAwait(false)
            : EtcUserDatabase.Empty;
        request = request with { CreatedTime = options.FixedFileTime, Users = users };
        var filesystem = stage.Filesystem;
        if (filesystem.IsDeferred && !filesystem.IsComplete && remoteEntries is null)
        {
            // The stage wants its tree but a cached layer spared reading it: below a fresh directory (the WORKDIR the
            // copy writes into) the stage knows what the tree would say, and the copy is planned without it.
            var probe = filesystem.Probe();
            var (probePlan, probeEntries) = await PlanEntriesAsync(request, sourceTree, source, owners, instruction, probe, cancellationToken).ConfigureAwait(false);
            if (!probe.TouchedUnknown)
            {
                filesystem.Adopt(probe);
                return await CacheAsync(probePlan, probeEntries, null).ConfigureAwait(false);
            }

            await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var (copyPlan, entries) = await PlanEntriesAsync(request, sourceTree, source, owners, instruction, filesystem, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string>? remoteIdentity = null;
        if (remoteEntries is not null)
        {
            var remote = await remoteEntries(copyPlan).ConfigureAwait(false);
            entries = CopyLayerEntries.Merge(entries, remote.Entries, copyPlan, filesystem, options.FixedFileTime ?? options.Created);
            remoteIdentity = remote.CacheIdentity;
        }

        return await CacheAsync(copyPlan, entries, remoteIdentity).ConfigureAwait(false);

        async Task<ILayer> CacheAsync(CopyPlan plan, IReadOnlyList<LayerEntry> layerEntries, IReadOnlyList<string>? identity)
        {
            foreach (var warning in plan.Warnings)
            {
                warnings.Add(warning);
            }

            return await stage.Run.LayerCache.CopyAsync(instruction, plan, source, identity,
                () => stage.Run.Writer.WriteAsync(layerEntries, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Plans the copy over what <paramref name="filesystem"/> knows (its whole tree read first when the plan needs
    /// it) and makes the entries of its layer, recording its directories there.
    /// </summary>
    private async Task<(CopyPlan Plan, IReadOnlyList<LayerEntry> Entries)> PlanEntriesAsync(
        CopyRequest request, BuildContextTree sourceTree, IBuildContext source, ImageSnapshot? owners, Instruction instruction,
        StageFilesystem filesystem, CancellationToken cancellationToken)
    {
        // The planner asks whether a destination is a directory of the stage; when the stage does not know its base
        // tree, an unknown answer is checked against the base's directories and the copy planned again.
        var askedUnknown = false;
        request = request with
        {
            ResolveDestination = filesystem.Resolve,
            IsExistingDirectory = path =>
            {
                var known = filesystem.IsDirectory(path);
                askedUnknown |= !known && !filesystem.IsComplete;
                return known;
            },
        };
        // The source owners are applied before NeedsBaseTree looks at the plan: a copied directory that keeps a
        // non-root owner must be written, so the stage must know its base tree.
        var copyPlan = WithSourceOwners(CopyPlanner.Plan(sourceTree, request), owners, request);
        if (askedUnknown || NeedsBaseTree(copyPlan))
        {
            await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
            copyPlan = WithSourceOwners(CopyPlanner.Plan(sourceTree, request with { IsExistingDirectory = filesystem.IsDirectory }), owners, request);
        }

        var entries = await CopyLayerEntries.CreateAsync(
            copyPlan, source, filesystem, options.FixedFileTime ?? options.Created, instruction.Range, archives, cancellationToken).ConfigureAwait(false);
        return (copyPlan, entries);
    }

    /// <inheritdoc />
    public void Dispose() => _remote.Dispose();
}
