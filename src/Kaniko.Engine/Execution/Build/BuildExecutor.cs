using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Images;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>The image a build produced, and the warnings found while running it.</summary>
/// <param name="Image">The target stage's image.</param>
/// <param name="Warnings">Warnings from running the steps (planning warnings are in the plan).</param>
internal sealed record ExecutedBuild(MutatedImage Image, IReadOnlyList<BuildWarning> Warnings);

/// <summary>
/// Runs a <see cref="BuildPlan"/> with a <see cref="StageExecutor"/>: a stage starts as soon as the stages it reads
/// (its base, <c>COPY --from</c>, <c>RUN --mount from</c>) are built, so independent stages run at the same time; the
/// target's image is the result. Each stage's result depends only on its inputs, so the image is the same as in
/// a build one stage at a time.
/// </summary>
internal sealed class BuildExecutor
{
    private readonly ExecutionOptions _options;
    private readonly IBuildEventSink _events;

    /// <summary>Creates an executor.</summary>
    public BuildExecutor(ExecutionOptions options, IBuildEventSink events)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _events = events ?? NullBuildEventSink.Instance;
    }

    /// <summary>Builds every stage of <paramref name="plan"/> and returns the target's image.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="request">The request the plan was made for (its build arguments are applied again per step).</param>
    /// <param name="context">The build context the plan's <c>COPY</c> and <c>ADD</c> steps read.</param>
    /// <param name="cancellationToken">Stops the build.</param>
    public async Task<ExecutedBuild> ExecuteAsync(BuildPlan plan, PlanRequest request, IBuildContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var builds = await ExecuteAsync([plan], request, context, cancellationToken).ConfigureAwait(false);
        return builds[0];
    }

    /// <summary>
    /// Builds the plans of one Dockerfile for several platforms, in order, and returns each target's image. A stage
    /// whose plan is the same in two platforms (a <c>FROM --platform=$BUILDPLATFORM</c> stage that reads no target
    /// argument, for example) is built once and reused.
    /// </summary>
    /// <param name="plans">One plan per target platform.</param>
    /// <param name="request">The request the plans were made for (its build arguments are applied again per step).</param>
    /// <param name="context">The build context the plans' <c>COPY</c> and <c>ADD</c> steps read.</param>
    /// <param name="cancellationToken">Stops the build.</param>
    public async Task<IReadOnlyList<ExecutedBuild>> ExecuteAsync(
        IReadOnlyList<BuildPlan> plans, PlanRequest request, IBuildContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var tree = BuildContextTree.Load(context);
        var built = new Dictionary<string, Task<StageResult>>(StringComparer.Ordinal);
        var executors = new List<StageExecutor>();
        var runHost = new RunHost(_options, _events);
        if (OperatingSystem.IsLinux())
        {
            runHost.ProbeAhead(plans);
        }

        var builds = new List<ExecutedBuild>();
        try
        {
            foreach (var plan in plans)
            {
                if (plans.Count > 1)
                {
                    _events.Report(new MessageEvent("building for " + plan.TargetPlatform, MessageImportance.High));
                }

                var warnings = new List<BuildWarning>();
                var stateOptions = ConfigStateOptions.For(plan, request, _options.Created);
                // Each platform writes its snapshots and layers in a folder of its own inside the build's.
                var options = builds.Count == 0 ? _options : _options with
                {
                    WorkDirectory = Path.Combine(_options.WorkDirectory, "platform-" + builds.Count.ToString(CultureInfo.InvariantCulture)),
                };
                var stages = new StageExecutor(options, stateOptions, context, tree, _events, warnings, runHost);
                executors.Add(stages);
                var last = await ExecuteStagesAsync(plan, stages, built, cancellationToken).ConfigureAwait(false);
                builds.Add(new ExecutedBuild(last.Image, warnings));
            }
        }
        finally
        {
            foreach (var executor in executors)
            {
                executor.Dispose();
            }
        }

        return builds;
    }

    /// <summary>
    /// Starts every stage of <paramref name="plan"/> once the stages it reads are built, and returns the last one's
    /// result. The first failure cancels the stages still running and is the one thrown.
    /// </summary>
    private async Task<StageResult> ExecuteStagesAsync(
        BuildPlan plan, StageExecutor stages, Dictionary<string, Task<StageResult>> built, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Dictionary<int, Task<StageResult>>();
        var keys = new Dictionary<int, string>();
        for (var index = 0; index < plan.Stages.Count; index++)
        {
            var stage = plan.Stages[index];
            var isTarget = stage == plan.Target;
            var key = StageKey(plan, stage, isTarget, keys);
            keys[stage.Index] = key;
            var dependencies = stage.Dependencies.ToDictionary(d => d, d => tasks[d]);
            var number = index + 1;
            if (built.TryGetValue(key, out var reused))
            {
                _events.Report(new MessageEvent(
                    string.Format(CultureInfo.InvariantCulture, "[{0}/{1}] {2}: the same as for an earlier platform, reused", number, plan.Stages.Count, stage.DisplayName)));
                tasks[stage.Index] = ReuseAsync(reused, stage);
            }
            else
            {
                tasks[stage.Index] = built[key] = ExecuteStageAsync(plan, stages, stage, dependencies, number, isTarget, failed);
            }
        }

        try
        {
            await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (FirstFailure(tasks.Values) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            // Root filesystems offered to later stages and not taken (or left by a failed build) go now.
            foreach (var task in tasks.Values.Where(t => t.IsCompletedSuccessfully))
            {
                task.Result.RootFs?.Dispose();
            }
        }

        return await tasks[plan.Stages[^1].Index].ConfigureAwait(false);
    }

    private static async Task<StageResult> ReuseAsync(Task<StageResult> reused, StagePlan stage) =>
        (await reused.ConfigureAwait(false)) with { Stage = stage };

    private static async Task<StageResult> ExecuteStageAsync(
        BuildPlan plan, StageExecutor stages, StagePlan stage, Dictionary<int, Task<StageResult>> dependencies, int number, bool isTarget,
        CancellationTokenSource failed)
    {
        try
        {
            var earlier = new Dictionary<int, StageResult>();
            foreach (var (index, dependency) in dependencies)
            {
                earlier[index] = await dependency.ConfigureAwait(false);
            }

            failed.Token.ThrowIfCancellationRequested();
            return await stages.ExecuteAsync(plan, stage, earlier, number, plan.Stages.Count, isTarget, failed.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    // A stage that failed on its own, rather than one cancelled because another failed.
    private static Exception? FirstFailure(IEnumerable<Task<StageResult>> tasks) =>
        tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);

    // Everything a stage's result depends on: the platform it runs as, its FROM, each step as expanded with the
    // arguments in scope, the stages it reads (by their own keys), whether it gets the request's labels and whether
    // its layers are compressed (the image holds them).
    private static string StageKey(BuildPlan plan, StagePlan stage, bool isTarget, IReadOnlyDictionary<int, string> keys)
    {
        var text = new StringBuilder();
        text.Append(StageExecutor.PlatformOf(plan, stage)).Append('\n')
            .Append(isTarget ? "target" : plan.IsExported(stage) ? "exported" : "stage").Append('\n')
            .Append(stage.From.Format()).Append('\n');
        foreach (var dependency in stage.Dependencies)
        {
            text.Append("dep ").Append(keys[dependency]).Append('\n');
        }

        foreach (var step in stage.Steps)
        {
            text.Append(step.Text).Append('\n');
            foreach (var (name, value) in step.BuildArgs)
            {
                text.Append(' ').Append(name).Append('=').Append(value).Append('\n');
            }
        }

        foreach (var (name, value) in plan.ProxyArgs)
        {
            text.Append("proxy ").Append(name).Append('=').Append(value).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
