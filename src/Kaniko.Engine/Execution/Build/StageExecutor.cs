using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Builds one stage: starts from its base (scratch, an earlier stage, or a registry image read lazily through the
/// base-image cache), applies each step's metadata with <see cref="ImageConfigState"/>, writes a layer for each
/// <c>COPY</c>, <c>ADD</c> and <c>WORKDIR</c> that needs one, and assembles the image with <see cref="ImageBuilder"/>.
/// </summary>
internal sealed class StageExecutor : IDisposable
{
    private const string PasswdPath = "/etc/passwd";
    private const string GroupPath = "/etc/group";

    private readonly ExecutionOptions _options;
    private readonly ConfigStateOptions _stateOptions;
    private readonly IBuildContext _context;
    private readonly BuildContextTree _tree;
    private readonly IBuildEventSink _events;
    private readonly LayerWriter _writer;
    private readonly ArchiveExtractor _archives;
    private readonly RemoteAddSources _remote;
    private readonly List<BuildWarning> _warnings;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<(ImageSnapshot Snapshot, BuildContextTree Tree)>>> _snapshots = new(StringComparer.Ordinal);
    private readonly RunHost _runHost;
    private readonly LayerHeaderCache _headers;
    private int _snapshotCount;

    /// <summary>Creates an executor for the stages of one build.</summary>
    /// <param name="options">Layers, times, fetching.</param>
    /// <param name="stateOptions">The config state options of the build's plan.</param>
    /// <param name="context">The build context, for file contents.</param>
    /// <param name="tree">The build context's entries, read once.</param>
    /// <param name="events">Receives progress and warnings.</param>
    /// <param name="warnings">Collects the warnings of the build.</param>
    public StageExecutor(ExecutionOptions options, ConfigStateOptions stateOptions, IBuildContext context, BuildContextTree tree, IBuildEventSink events, List<BuildWarning> warnings)
        : this(options, stateOptions, context, tree, events, warnings, null)
    {
    }

    /// <summary>Creates an executor whose <c>RUN</c> steps share <paramref name="runHost"/> (the build's sandbox) with other executors.</summary>
    internal StageExecutor(
        ExecutionOptions options, ConfigStateOptions stateOptions, IBuildContext context, BuildContextTree tree, IBuildEventSink events, List<BuildWarning> warnings,
        RunHost? runHost)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _stateOptions = stateOptions ?? throw new ArgumentNullException(nameof(stateOptions));
        _context = context ?? throw new ArgumentNullException(nameof(context));
        _tree = tree ?? throw new ArgumentNullException(nameof(tree));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _warnings = warnings ?? throw new ArgumentNullException(nameof(warnings));
        _writer = new LayerWriter(options.Layers);
        _archives = new ArchiveExtractor(Path.Combine(options.WorkDirectory, "archives"));
        _remote = new RemoteAddSources(options.WorkDirectory, _archives);
        _runHost = runHost ?? new RunHost(options, events);
        // Beside the base-image blobs: the headers of the layers kept there.
        _headers = new LayerHeaderCache(options.BaseImageCache.Root);
    }

    /// <summary>Builds <paramref name="stage"/>, numbered <paramref name="stageNumber"/> of <paramref name="stageCount"/>.</summary>
    /// <param name="plan">The whole plan (for the target platform).</param>
    /// <param name="stage">The stage to build.</param>
    /// <param name="earlier">The stages built so far, by stage index.</param>
    /// <param name="stageNumber">The stage's position, from 1.</param>
    /// <param name="stageCount">How many stages the build runs.</param>
    /// <param name="isTarget">Whether this stage is the final image (it gets the labels and annotations of the request).</param>
    /// <param name="cancellationToken">Stops the build.</param>
    public async Task<StageResult> ExecuteAsync(
        BuildPlan plan, StagePlan stage, IReadOnlyDictionary<int, StageResult> earlier, int stageNumber, int stageCount, bool isTarget, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(earlier);
        var stepCount = stage.Steps.Count + 1;
        _events.Report(new StepStartedEvent(stageNumber, stageCount, 1, stepCount, stage.From.Format()));

        var (baseImage, state, filesystem) = await StartAsync(plan, stage, earlier, cancellationToken).ConfigureAwait(false);
        var builder = new ImageBuilder(baseImage);
        if (_options.ImageFormat is { } format)
        {
            builder.WithFormat(format);
        }
        else if (_options.Layers.Compression == LayerCompression.Zstd)
        {
            // A Docker schema 2 manifest has no name for a zstd layer: BuildKit then turns OCI media types on.
            builder.WithFormat(Images.ImageFormat.Oci);
        }

        var cache = new StepLayerCache(_options, _events);
        cache.StartStage(
            stage.BaseStage is { } parent ? "stage " + (earlier[parent].CacheChain ?? earlier[parent].Image.Digest.ToString()) : "image " + baseImage.Manifest.Digest,
            PlatformOf(plan, stage));
        using var run = new StageRun(stage, baseImage.Layers) { LayerCache = cache };
        if (OperatingSystem.IsLinux() && stage.BaseStage is { } baseIndex && earlier[baseIndex].RootFs?.Take() is { } taken)
        {
            // The stage this one starts from left its root filesystem: it already holds this stage's base.
            run.RootFs = taken.HandOver(run.BaseLayerCount, _options.SingleSnapshot);
        }

        var triggers = BaseTriggers.Parse(stage, state.BaseOnBuildTriggers);
        var steps = triggers.Concat(stage.Steps).ToList();
        var recorded = new List<(AppliedStep Applied, ILayer? Layer)>();
        stepCount = steps.Count + 1;
        for (var index = 0; index < steps.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = steps[index];
            _events.Report(new StepStartedEvent(stageNumber, stageCount, index + 2, stepCount, StepText(state, step)));
            ILayer? layer;
            AppliedStep applied;
            cache.BeginStep(state);
            try
            {
                (applied, layer) = await ApplyAsync(plan, stage, step, earlier, state, filesystem, run, cancellationToken).ConfigureAwait(false);
            }
            catch (KanikoException e) when (index < triggers.Count)
            {
                throw BaseTriggers.Failed(stage, step, e);
            }
            catch (KanikoException e) when (step.RedactedText is not null)
            {
                // The step read a build argument's value: keep it out of the message, as out of the step line.
                throw BuildArgumentSecrecy.MaskValues(e, plan.SensitiveValues);
            }

            cache.EndStep(applied.Instruction, layer);
            if (layer is not null)
            {
                run.Layers.Add(layer);
            }

            recorded.Add((applied, layer));
        }

        if (_options.SingleSnapshot)
        {
            recorded = await SingleSnapshotAsync(run, recorded, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (applied, layer) in recorded)
        {
            Record(builder, applied, layer);
        }

        var config = state.Config;
        builder.WithCreated(_options.Created).WithConfig(_ => config.Config ?? new ContainerConfig());
        if (config.Author != baseImage.Config.Value.Author)
        {
            builder.WithAuthor(config.Author);
        }

        if (isTarget)
        {
            foreach (var (key, value) in _options.Labels)
            {
                builder.WithLabel(key, value);
            }

            foreach (var (key, value) in _options.Annotations)
            {
                builder.WithAnnotation(key, value);
            }
        }

        var handOff = await OfferRootFsAsync(plan, stage, run, cancellationToken).ConfigureAwait(false);
        return new StageResult(stage, builder.Build(), state, filesystem) { RootFs = handOff, CacheChain = cache.Chain.Value };
    }

    /// <summary>
    /// Keeps the stage's root filesystem, brought up to date with all its layers, for a later stage of the plan that
    /// starts from this one; <c>null</c> (and the folder is removed with the stage) when there is none.
    /// </summary>
    private static async Task<RootFsHandOff?> OfferRootFsAsync(BuildPlan plan, StagePlan stage, StageRun run, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || run.RootFs is not { IsMaterialised: true } rootFs || !plan.Stages.Any(s => s.BaseStage == stage.Index))
        {
            return null;
        }

        await rootFs.SyncAsync(run.Layers, index: true, cancellationToken).ConfigureAwait(false);
        run.RootFs = null;
        return new RootFsHandOff(rootFs);
    }

    // Stages of one build may run at the same time; the warnings list is theirs to share.
    private void Warn(BuildWarning warning)
    {
        lock (_warnings)
        {
            _warnings.Add(warning);
        }

        _events.Report(new WarningEvent(warning));
    }

    private static void Record(ImageBuilder builder, AppliedStep applied, ILayer? layer)
    {
        if (applied.History is { } history)
        {
            if (layer is not null)
            {
                builder.AppendLayer(layer, history.CreatedBy, history.Comment);
            }
            else
            {
                builder.AppendHistory(history.CreatedBy ?? "", history.Comment);
            }
        }
        else if (layer is not null)
        {
            builder.AppendLayer(layer);
        }
    }

    /// <summary>
    /// <c>--single-snapshot</c>: the steps' own layers are replaced by one layer holding everything the stage changed
    /// in its base, recorded with the last step that would have written a layer; the others become empty-layer entries.
    /// </summary>
    private async Task<List<(AppliedStep Applied, ILayer? Layer)>> SingleSnapshotAsync(
        StageRun run, List<(AppliedStep Applied, ILayer? Layer)> recorded, CancellationToken cancellationToken)
    {
        var last = recorded.FindLastIndex(r => r.Applied.NeedsLayer);
        if (last < 0)
        {
            return recorded;
        }

        if (!OperatingSystem.IsLinux())
        {
            // A RUN step would have stopped the build already: only a COPY or ADD stage gets here.
            throw new KanikoException(DiagnosticCodes.SingleSnapshotNeedsLinux, string.Format(
                CultureInfo.InvariantCulture, Strings.SingleSnapshotNeedsLinux, System.Runtime.InteropServices.RuntimeInformation.OSDescription));
        }

        var runner = new RunStepRunner(_options, _runHost, _writer, _events);
        run.RootFs ??= _runHost.CreateRootFs(_options.WorkDirectory, run.Stage.DisplayName, run.Stage.Index, run.BaseLayerCount, _events);
        await run.RootFs.SyncAsync(run.Layers, index: false, cancellationToken).ConfigureAwait(false);
        var diff = await Filesystem.Snapshotter.DiffAsync(run.RootFs.RootFs, run.RootFs.Baseline!, _options.SnapshotMode, cancellationToken).ConfigureAwait(false);
        var layer = diff.IsEmpty ? null : await runner.WriteAsync(diff, cancellationToken).ConfigureAwait(false);
        return [.. recorded.Select((r, i) => (r.Applied, i == last ? layer : null))];
    }

    private static KanikoException RunNeedsLinux(Instruction instruction) =>
        new(DiagnosticCodes.RunNeedsLinux, string.Format(CultureInfo.InvariantCulture, Strings.RunNeedsLinux,
            instruction.Original.Trim(), System.Runtime.InteropServices.RuntimeInformation.OSDescription), instruction.Range);

    private async Task<ILayer?> RunAsync(
        AppliedStep applied, StageFilesystem filesystem, StageRun run, IMountSourceProvider mountSources, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw RunNeedsLinux(applied.Instruction);
        }

        return await run.LayerCache.RunAsync(
            applied, filesystem, cacheable: !_options.SingleSnapshot, mountSources,
            () => OperatingSystem.IsLinux() ? ExecuteRunAsync(applied, filesystem, run, mountSources, cancellationToken) : throw RunNeedsLinux(applied.Instruction),
            cancellationToken).ConfigureAwait(false);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<(ILayer? Layer, IReadOnlyList<Filesystem.FileChange> Changes)> ExecuteRunAsync(
        AppliedStep applied, StageFilesystem filesystem, StageRun run, IMountSourceProvider mountSources, CancellationToken cancellationToken)
    {
        var runner = new RunStepRunner(_options, _runHost, _writer, _events);
        run.RootFs ??= _runHost.CreateRootFs(_options.WorkDirectory, run.Stage.DisplayName, run.Stage.Index, run.BaseLayerCount, _events);
        var (layer, changes) = await runner.RunAsync(applied, run.RootFs, run.Layers, mountSources, cancellationToken).ConfigureAwait(false);
        filesystem.Record(changes);
        return (layer, changes);
    }

    private async Task<(AppliedStep Applied, ILayer? Layer)> ApplyAsync(
        BuildPlan plan, StagePlan stage, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier, ImageConfigState state,
        StageFilesystem filesystem, StageRun run, CancellationToken cancellationToken)
    {
        RefuseForeignRun(plan, stage, step.Instruction);
        var applied = state.Apply(step);
        ILayer? layer = applied.Layer switch
        {
            StepLayerKind.None => null,
            StepLayerKind.Copy when applied.Instruction is CopyInstruction { From: not null } copyFrom =>
                await CopyFromAsync(PlatformOf(plan, stage), copyFrom, step, earlier, state, filesystem, run, cancellationToken).ConfigureAwait(false),
            StepLayerKind.Copy or StepLayerKind.Add => await CopyAsync(applied.Instruction, state, filesystem, run, cancellationToken).ConfigureAwait(false),
            StepLayerKind.CreateWorkdir => await WorkdirAsync(applied, filesystem, run, cancellationToken).ConfigureAwait(false),
            StepLayerKind.Run => await RunAsync(applied, filesystem, run, MountSources(PlatformOf(plan, stage), step, earlier), cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException("unknown layer kind " + applied.Layer),
        };
        return (applied, layer);
    }

    private async Task<(IImage Image, ImageConfigState State, StageFilesystem Filesystem)> StartAsync(
        BuildPlan plan, StagePlan stage, IReadOnlyDictionary<int, StageResult> earlier, CancellationToken cancellationToken)
    {
        if (stage.BaseStage is { } baseIndex)
        {
            var baseStage = earlier[baseIndex];
            return (baseStage.Image, baseStage.State.ForDerivedStage(), baseStage.Filesystem.Clone());
        }

        var platform = PlatformOf(plan, stage);
        if (stage.IsScratch)
        {
            return (ScratchImage.For(platform), ImageConfigState.FromScratch(platform, _stateOptions), StageFilesystem.Empty());
        }

        ImageReference reference;
        try
        {
            reference = ImageReference.Parse(stage.From.BaseName);
        }
        catch (KanikoException e)
        {
            throw e.WithRangeIfMissing(stage.From.Range);
        }

        IImage remote;
        try
        {
            remote = await _options.Fetcher.OpenAsync(reference, platform, cancellationToken).ConfigureAwait(false);
        }
        catch (KanikoException e)
        {
            throw e.WithRangeIfMissing(stage.From.Range);
        }

        WarnOnPlatformMismatch(stage, remote.Config.Value, platform);
        var state = ImageConfigState.FromImage(remote.Config.Value, _stateOptions);
        var cached = new CachedImage(remote, _options.BaseImageCache, _events);
        return (cached, state, StageFilesystem.Of(cached.Layers, _headers));
    }

    /// <summary>
    /// The platform a stage runs as: its <c>--platform</c>, else its base stage's, else the plan's target platform.
    /// </summary>
    public static Platform PlatformOf(BuildPlan plan, StagePlan stage)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stage);
        var current = stage;
        while (current.Platform is null && current.BaseStage is { } baseIndex && plan.Stages.FirstOrDefault(s => s.Index == baseIndex) is { } baseStage)
        {
            current = baseStage;
        }

        return current.Platform ?? plan.TargetPlatform;
    }

    // A RUN of another architecture needs an emulator; saying so first spares the user a confusing exec error.
    private void RefuseForeignRun(BuildPlan plan, StagePlan stage, Instruction instruction)
    {
        if (instruction is not RunInstruction)
        {
            return;
        }

        var platform = PlatformOf(plan, stage);
        if (!_options.Emulation.CanRun(platform, plan.BuildPlatform))
        {
            throw new KanikoException(
                DiagnosticCodes.ForeignPlatformRun,
                string.Format(CultureInfo.InvariantCulture, Strings.ForeignPlatformRun, platform, plan.BuildPlatform,
                    PlatformEmulation.HandlerName(platform.Normalize().Architecture)),
                instruction.Range);
        }
    }

    // A single-platform base of another platform is used as it is (BuildKit does the same and warns): the image
    // then says it is for the base's platform, whatever the build asked for.
    private void WarnOnPlatformMismatch(StagePlan stage, ImageConfigFile config, Platform wanted)
    {
        if (string.IsNullOrEmpty(config.Os) || string.IsNullOrEmpty(config.Architecture))
        {
            return;
        }

        var offered = new Platform { Os = config.Os, Architecture = config.Architecture, Variant = string.IsNullOrEmpty(config.Variant) ? null : config.Variant };
        if (!wanted.Matches(offered))
        {
            var warning = new BuildWarning(
                DiagnosticCodes.BaseImagePlatformMismatch,
                string.Format(CultureInfo.InvariantCulture, Strings.BaseImagePlatformMismatch, stage.From.BaseName, offered.Normalize(), wanted),
                stage.From.Range);
            Warn(warning);
        }
    }

    private Task<ILayer> CopyAsync(
        Instruction instruction, ImageConfigState state, StageFilesystem filesystem, StageRun run, CancellationToken cancellationToken)
    {
        var workdir = WorkingDirectory(state);
        if (instruction is AddInstruction { Checksum: not null } checksummed)
        {
            CheckChecksumSources(checksummed);
        }

        if (instruction is AddInstruction add && add.Sources.SourcePaths.Any(RemoteAddSources.IsRemote))
        {
            var remote = add.Sources.SourcePaths.Where(RemoteAddSources.IsRemote).ToList();
            var local = CopyRequest.FromInstruction(add, workdir) with { SourcePaths = [.. add.Sources.SourcePaths.Where(s => !RemoteAddSources.IsRemote(s))] };
            return WriteCopyLayerAsync(local, _tree, _context, null, instruction, filesystem, run, cancellationToken, async plan =>
            {
                if (!plan.DestinationIsDirectory && !filesystem.IsDirectory(plan.Destination) && !filesystem.IsComplete)
                {
                    await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
                }

                var intoDirectory = plan.DestinationIsDirectory || filesystem.IsDirectory(plan.Destination);
                return await _remote.FetchAsync(add, remote, plan.Destination, intoDirectory, plan.Owner, _options.FixedFileTime, cancellationToken).ConfigureAwait(false);
            });
        }

        var request = instruction switch
        {
            CopyInstruction copy => CopyRequest.FromInstruction(copy, workdir),
            AddInstruction addLocal => CopyRequest.FromInstruction(addLocal, workdir),
            _ => throw new InvalidOperationException("not a COPY or ADD: " + instruction.Name),
        };
        return WriteCopyLayerAsync(request, _tree, _context, null, instruction, filesystem, run, cancellationToken);
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
    private async Task<ILayer> CopyFromAsync(
        Platform platform, CopyInstruction copy, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier, ImageConfigState state,
        StageFilesystem filesystem, StageRun run, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(platform, copy.From!, step, earlier, copy.Range, cancellationToken).ConfigureAwait(false);
        var request = CopyRequest.FromInstruction(copy with { From = null }, WorkingDirectory(state));
        return await WriteCopyLayerAsync(request, snapshot.Tree, snapshot.Snapshot, snapshot.Snapshot, copy, filesystem, run, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a step's <c>RUN --mount</c>s read: the context, or the stages and images the step's sources name.</summary>
    private StageMountSources MountSources(Platform platform, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier) =>
        new(_context, _tree, async (from, range, cancellationToken) =>
        {
            var snapshot = await SnapshotAsync(platform, from, step, earlier, range, cancellationToken).ConfigureAwait(false);
            var stageIndex = step.Sources.FirstOrDefault(s => s.Reference == from)?.StageIndex;
            var description = stageIndex is { } index ? "stage " + earlier[index].Stage.DisplayName : "image " + from;
            return new MountSource(description, snapshot.Snapshot, snapshot.Tree, path => snapshot.Snapshot.OwnerOf(path));
        }, step.Instruction.Range);

    /// <summary>
    /// The step as it runs: the planner expanded it without the base image's environment, so <c>USER $APP_UID</c>
    /// with <c>APP_UID</c> from the base's <c>Env</c> read <c>USER</c>; BuildKit's progress names a step expanded
    /// with the stage's whole environment, and so does this (except that a step reading a build argument's value is
    /// shown as written: <see cref="StepPlan.RedactedText"/>). An <c>ARG</c> keeps the planned text (its expansion
    /// resolves values, not the line as written).
    /// </summary>
    private static string StepText(ImageConfigState state, StepPlan step)
    {
        // A step that reads a build argument's value is shown as the planner redacted it.
        if (step.RedactedText is { } redacted)
        {
            return redacted;
        }

        if (step.Instruction is ArgInstruction)
        {
            return step.Text;
        }

        try
        {
            return state.Expand(step.Instruction).Format();
        }
        catch (KanikoException)
        {
            // The step fails with the same error when it is applied, right after its line is shown.
            return step.Text;
        }
    }

    /// <summary>
    /// The files of the earlier stage or the image <paramref name="from"/> names (as the step's sources resolve it),
    /// read once per build: for <c>COPY --from</c> and <c>RUN --mount from</c>.
    /// </summary>
    private Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> SnapshotAsync(
        Platform platform, string from, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier, SourceRange range, CancellationToken cancellationToken)
    {
        var stageIndex = step.Sources.FirstOrDefault(s => s.Reference == from)?.StageIndex;
        var key = stageIndex is { } index ? "stage:" + index.ToString(CultureInfo.InvariantCulture) : "image:" + platform + ":" + from;
        return _snapshots.GetOrAdd(key, k => new Lazy<Task<(ImageSnapshot, BuildContextTree)>>(
            () => ReadSnapshotAsync(k, platform, from, range, stageIndex, earlier, cancellationToken))).Value;
    }

    /// <summary>Reads the files of a stage or an image, once per build (stages may ask at the same time).</summary>
    private async Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> ReadSnapshotAsync(
        string key, Platform platform, string from, SourceRange range, int? stageIndex, IReadOnlyDictionary<int, StageResult> earlier, CancellationToken cancellationToken)
    {
        IReadOnlyList<ILayer> sourceLayers;
        if (stageIndex is { } i)
        {
            sourceLayers = earlier[i].Image.Layers;
        }
        else
        {
            IImage image;
            try
            {
                var remote = await _options.Fetcher.OpenAsync(ImageReference.Parse(from), platform, cancellationToken).ConfigureAwait(false);
                image = new CachedImage(remote, _options.BaseImageCache, _events);
            }
            catch (KanikoException e)
            {
                throw e.WithRangeIfMissing(range);
            }

            sourceLayers = image.Layers;
        }

        var number = Interlocked.Increment(ref _snapshotCount) - 1;
        var directory = Path.Combine(_options.WorkDirectory, "snapshot-" + number.ToString(CultureInfo.InvariantCulture));
        var read = await ImageSnapshot.ReadAsync(key, sourceLayers, directory, _headers, cancellationToken).ConfigureAwait(false);
        return (read, BuildContextTree.Load(read));
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
        CopyRequest request, BuildContextTree tree, IBuildContext source, ImageSnapshot? owners, Instruction instruction,
        StageFilesystem filesystem, StageRun run, CancellationToken cancellationToken,
        Func<CopyPlan, Task<RemoteAddContent>>? remoteEntries = null)
    {
        var users = request.Chown is { } chown && ChownSpec.Parse(chown).NeedsLookup
            ? await UsersAsync(run, cancellationToken).ConfigureAwait(false)
            : EtcUserDatabase.Empty;
        // The planner asks whether a destination is a directory of the stage; when the stage does not know its base
        // tree, an unknown answer is checked against the base's directories and the copy planned again.
        var askedUnknown = false;
        request = request with
        {
            CreatedTime = _options.FixedFileTime,
            Users = users,
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
        var copyPlan = WithSourceOwners(CopyPlanner.Plan(tree, request), owners, request);
        if (askedUnknown || NeedsBaseTree(copyPlan))
        {
            await filesystem.EnsureCompleteAsync(cancellationToken).ConfigureAwait(false);
            copyPlan = WithSourceOwners(CopyPlanner.Plan(tree, request with { IsExistingDirectory = filesystem.IsDirectory }), owners, request);
        }

        foreach (var warning in copyPlan.Warnings)
        {
            Warn(warning);
        }

        var entries = await CopyLayerEntries.CreateAsync(
            copyPlan, source, filesystem, _options.FixedFileTime ?? _options.Created, instruction.Range, _archives, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string>? remoteIdentity = null;
        if (remoteEntries is not null)
        {
            var remote = await remoteEntries(copyPlan).ConfigureAwait(false);
            entries = CopyLayerEntries.Merge(entries, remote.Entries, copyPlan, filesystem, _options.FixedFileTime ?? _options.Created);
            remoteIdentity = remote.CacheIdentity;
        }

        return await run.LayerCache.CopyAsync(instruction, copyPlan, source, remoteIdentity,
            async () => await _writer.WriteAsync(entries, _options.WorkDirectory, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ILayer> WorkdirAsync(AppliedStep applied, StageFilesystem filesystem, StageRun run, CancellationToken cancellationToken)
    {
        var workdir = applied.Workdir!;
        var owner = CopyOwner.Root;
        if (workdir.User.Length > 0)
        {
            var spec = ChownSpec.Parse(workdir.User);
            var users = spec.NeedsLookup ? await UsersAsync(run, cancellationToken).ConfigureAwait(false) : EtcUserDatabase.Empty;
            var warnings = new List<BuildWarning>();
            owner = spec.ResolveOrRoot(users, warnings, applied.Instruction.Range);
            foreach (var warning in warnings)
            {
                Warn(warning);
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
        var time = _options.FixedFileTime ?? _options.Created;
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

        return await _writer.WriteAsync(entries, _options.WorkDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The stage's user database: <c>/etc/passwd</c> and <c>/etc/group</c> of its root filesystem when a step made
    /// one (a <c>RUN</c> may have added users), else read from its layers, top first.
    /// </summary>
    /// <remarks>Layers are read again only when a layer was added since the last read (it may have changed them).</remarks>
    private async Task<IUserDatabase> UsersAsync(StageRun run, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsLinux() && run.RootFs is { IsMaterialised: true } rootFs)
        {
            await rootFs.SyncAsync(run.Layers, index: false, cancellationToken).ConfigureAwait(false);
            var passwd = ReadIfFile(rootFs.RootFs.Resolve(PasswdPath));
            var group = ReadIfFile(rootFs.RootFs.Resolve(GroupPath));
            return new EtcUserDatabase(() => passwd, () => group);
        }

        if (run.Etc is not { } etc || etc.LayerCount != run.Layers.Count)
        {
            var files = await LayerFileReader.ReadAsync(run.Layers, [PasswdPath, GroupPath], cancellationToken).ConfigureAwait(false);
            etc = new EtcFiles(run.Layers.Count, files[PasswdPath], files[GroupPath]);
            run.Etc = etc;
        }

        return new EtcUserDatabase(() => etc.Passwd, () => etc.Group);
    }

    private static byte[]? ReadIfFile(string hostPath) => File.Exists(hostPath) ? File.ReadAllBytes(hostPath) : null;

    /// <inheritdoc />
    public void Dispose() => _remote.Dispose();
}
