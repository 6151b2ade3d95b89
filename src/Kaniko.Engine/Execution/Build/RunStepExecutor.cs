using System.Globalization;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// <c>RUN</c>: prepares the stage's root filesystem (made on the first <c>RUN</c>, then kept up to date with the
/// stage's layers), runs the command in the build's sandbox with its <c>--mount</c>s, and snapshots what it changed
/// as the step's layer, through the stage's layer cache. Also the stage-wide snapshot of <c>--single-snapshot</c>.
/// </summary>
/// <param name="options">Sandbox, snapshots, work folder.</param>
/// <param name="context">The build context, for <c>RUN --mount</c> without <c>from</c>.</param>
/// <param name="tree">The build context's entries, read once.</param>
/// <param name="events">Receives the commands' output.</param>
/// <param name="runHost">The build's sandbox, shared by its platforms.</param>
/// <param name="snapshots">The files of earlier stages and images, for <c>RUN --mount from</c>.</param>
internal sealed class RunStepExecutor(
    ExecutionOptions options, IBuildContext context, BuildContextTree tree, IBuildEventSink events, RunHost runHost, SourceSnapshots snapshots)
    : IStepExecutor
{
    /// <inheritdoc />
    public bool Handles(StepLayerKind kind) => kind == StepLayerKind.Run;

    /// <summary>
    /// Refuses a <c>RUN</c> of an architecture this machine cannot run (no emulator): saying so before the step's
    /// metadata is applied spares the user a confusing exec error. Other instructions pass.
    /// </summary>
    public void RefuseForeignRun(BuildPlan plan, StagePlan stage, Instruction instruction)
    {
        if (instruction is not RunInstruction)
        {
            return;
        }

        var platform = StageExecutor.PlatformOf(plan, stage);
        if (!options.Emulation.CanRun(platform, plan.BuildPlatform))
        {
            throw new KanikoException(
                DiagnosticCodes.ForeignPlatformRun,
                string.Format(CultureInfo.InvariantCulture, Strings.ForeignPlatformRun, platform, plan.BuildPlatform,
                    PlatformEmulation.HandlerName(platform.Normalize().Architecture)),
                instruction.Range);
        }
    }

    /// <inheritdoc />
    public async Task<ILayer?> ExecuteAsync(StageContext stage, StepPlan step, AppliedStep applied, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw RunNeedsLinux(applied.Instruction);
        }

        var mountSources = MountSources(stage, step);
        return await stage.Run.LayerCache.RunAsync(
            applied, stage.Filesystem, stage.Run.Layers.Count, cacheable: !options.SingleSnapshot, mountSources,
            () => OperatingSystem.IsLinux() ? ExecuteRunAsync(applied, stage.Filesystem, stage.Run, mountSources, cancellationToken) : throw RunNeedsLinux(applied.Instruction),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>--single-snapshot</c>: one layer with everything the stage changed in its base (<c>null</c> when nothing),
    /// from its root filesystem brought up to date with all its layers.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task<ILayer?> SnapshotStageAsync(StageRun run, CancellationToken cancellationToken)
    {
        var runner = new RunStepRunner(options, runHost, run.Writer, events);
        run.RootFs ??= runHost.CreateRootFs(options.WorkDirectory, run.Stage.DisplayName, run.Stage.Index, run.BaseLayerCount, events);
        await run.RootFs.SyncAsync(run.Layers, index: false, cancellationToken).ConfigureAwait(false);
        var diff = await Filesystem.Snapshotter.DiffAsync(run.RootFs.RootFs, run.RootFs.Baseline!, options.SnapshotMode, cancellationToken).ConfigureAwait(false);
        return diff.IsEmpty ? null : await runner.WriteAsync(diff, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Before a step of a stage that runs commands reads its base's tree: on the overlay rung, the base's layers are
    /// unpacked into the layer store now, for the root the stage's first <c>RUN</c> mounts, and their headers kept as
    /// they go by, so the tree is read from those instead of decompressing the layers a second time.
    /// </summary>
    public Task PrepareRootAsync(StageRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!OperatingSystem.IsLinux() || options.Isolation == Sandbox.SandboxKind.None || run.RootFs is { IsMaterialised: true })
        {
            return Task.CompletedTask;
        }

        run.RootFs ??= runHost.CreateRootFs(options.WorkDirectory, run.Stage.DisplayName, run.Stage.Index, run.BaseLayerCount, events);
        return run.RootFs.PrepareAsync([.. run.Layers.Take(run.BaseLayerCount)], cancellationToken);
    }

    private static KanikoException RunNeedsLinux(Instruction instruction) =>
        new(DiagnosticCodes.RunNeedsLinux, string.Format(CultureInfo.InvariantCulture, Strings.RunNeedsLinux,
            instruction.Original.Trim(), System.Runtime.InteropServices.RuntimeInformation.OSDescription), instruction.Range);

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private async Task<(ILayer? Layer, IReadOnlyList<Filesystem.FileChange> Changes)> ExecuteRunAsync(
        AppliedStep applied, StageFilesystem filesystem, StageRun run, IMountSourceProvider mountSources, CancellationToken cancellationToken)
    {
        var runner = new RunStepRunner(options, runHost, run.Writer, events);
        run.RootFs ??= runHost.CreateRootFs(options.WorkDirectory, run.Stage.DisplayName, run.Stage.Index, run.BaseLayerCount, events);
        var (layer, changes) = await runner.RunAsync(applied, run.RootFs, run.Layers, mountSources, cancellationToken).ConfigureAwait(false);
        // The step's layer (if any) will be the stage's next: the directories it added are fresh from there.
        filesystem.Record(changes, options.SingleSnapshot ? null : run.Layers.Count);
        return (layer, changes);
    }

    /// <summary>What a step's <c>RUN --mount</c>s read: the context, or the stages and images the step's sources name.</summary>
    private StageMountSources MountSources(StageContext stage, StepPlan step) =>
        new(context, tree, async (from, range, cancellationToken) =>
        {
            var snapshot = await snapshots.GetAsync(stage.Platform, from, step, stage.Earlier, range, cancellationToken).ConfigureAwait(false);
            var stageIndex = step.Sources.FirstOrDefault(s => s.Reference == from)?.StageIndex;
            var description = stageIndex is { } index ? "stage " + stage.Earlier[index].Stage.DisplayName : "image " + from;
            return new MountSource(description, snapshot.Snapshot, snapshot.Tree, path => snapshot.Snapshot.OwnerOf(path));
        }, step.Instruction.Range);
}
