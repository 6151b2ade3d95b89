using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Builds one stage: starts from its base (<see cref="BaseImageResolver"/>), applies each step's metadata with
/// <see cref="ImageConfigState"/>, hands the step to the one <see cref="IStepExecutor"/> for its kind (copy/add,
/// <c>WORKDIR</c>, <c>RUN</c>, metadata-only), records the layers it returns through the stage's layer cache, and
/// assembles the image with <see cref="ImageBuilder"/>.
/// </summary>
internal sealed class StageExecutor : IDisposable
{
    private readonly ExecutionOptions _options;
    private readonly IBuildEventSink _events;
    private readonly BaseImageResolver _bases;
    private readonly CopyStepExecutor _copy;
    private readonly RunStepExecutor _run;
    private readonly LayerWriter _writer;
    private readonly IReadOnlyList<IStepExecutor> _steps;

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
        ArgumentNullException.ThrowIfNull(stateOptions);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tree);
        _events = events ?? throw new ArgumentNullException(nameof(events));
        ArgumentNullException.ThrowIfNull(warnings);
        _writer = new LayerWriter(options.Layers);
        var buildWarnings = new BuildWarnings(warnings, events);
        // Beside the base-image blobs: the headers of the layers kept there.
        var headers = new LayerHeaderCache(options.BaseImageCache.Root);
        var snapshots = new SourceSnapshots(options, events, headers);
        _bases = new BaseImageResolver(options, stateOptions, events, headers, buildWarnings);
        _copy = new CopyStepExecutor(
            options, context, tree, new ArchiveExtractor(Path.Combine(options.WorkDirectory, "archives")), snapshots, buildWarnings);
        _run = new RunStepExecutor(options, context, tree, events, runHost ?? new RunHost(options, events), snapshots);
        _steps = [new MetadataStepExecutor(), _copy, new WorkdirStepExecutor(options, buildWarnings, _run.PrepareRootAsync), _run];
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

        var platform = PlatformOf(plan, stage);
        var (baseImage, state, filesystem) = await _bases.ResolveAsync(stage, platform, earlier, cancellationToken).ConfigureAwait(false);
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

        // A stage no output holds waits for no compression: its layers are only read by this build.
        var writer = new StageLayerWriter(_writer, _options.WorkDirectory, plan.IsExported(stage));
        var cache = new StepLayerCache(_options, _events, writer);
        cache.StartStage(
            stage.BaseStage is { } parent ? "stage " + (earlier[parent].CacheChain ?? earlier[parent].Image.Digest.ToString()) : "image " + baseImage.Manifest.Digest,
            platform);
        using var run = new StageRun(stage, baseImage.Layers) { LayerCache = cache, Writer = writer };
        if (OperatingSystem.IsLinux() && stage.BaseStage is { } baseIndex && earlier[baseIndex].RootFs?.Take() is { } taken)
        {
            // The stage this one starts from left its root filesystem: it already holds this stage's base.
            run.RootFs = taken.HandOver(run.BaseLayerCount, _options.SingleSnapshot);
        }

        var context = new StageContext(plan, stage, platform, earlier, state, filesystem, run);
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
                (applied, layer) = await ApplyAsync(context, step, cancellationToken).ConfigureAwait(false);
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

        var layer = await _run.SnapshotStageAsync(run, cancellationToken).ConfigureAwait(false);
        return [.. recorded.Select((r, i) => (r.Applied, i == last ? layer : null))];
    }

    private async Task<(AppliedStep Applied, ILayer? Layer)> ApplyAsync(StageContext stage, StepPlan step, CancellationToken cancellationToken)
    {
        _run.RefuseForeignRun(stage.Plan, stage.Stage, step.Instruction);
        var applied = stage.State.Apply(step);
        var executor = _steps.FirstOrDefault(e => e.Handles(applied.Layer)) ?? throw new InvalidOperationException("unknown layer kind " + applied.Layer);
        var layer = await executor.ExecuteAsync(stage, step, applied, cancellationToken).ConfigureAwait(false);
        return (applied, layer);
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

    /// <inheritdoc />
    public void Dispose() => _copy.Dispose();
}
