using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution;

/// <summary>The image a build produced, and the warnings found while running it.</summary>
/// <param name="Image">The target stage's image.</param>
/// <param name="Warnings">Warnings from running the steps (planning warnings are in the plan).</param>
public sealed record ExecutedBuild(MutatedImage Image, IReadOnlyList<BuildWarning> Warnings);

/// <summary>Runs a <see cref="BuildPlan"/>: each stage in order with a <see cref="StageExecutor"/>; the last one is the image.</summary>
public sealed class BuildExecutor
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
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var tree = BuildContextTree.Load(context);
        var warnings = new List<BuildWarning>();
        var stateOptions = ConfigStateOptions.For(plan, request, _options.Created);
        using var stages = new StageExecutor(_options, stateOptions, context, tree, _events, warnings);
        var results = new Dictionary<int, StageResult>();
        StageResult? last = null;
        for (var index = 0; index < plan.Stages.Count; index++)
        {
            var stage = plan.Stages[index];
            last = await stages.ExecuteAsync(plan, stage, results, index + 1, plan.Stages.Count, stage == plan.Target, cancellationToken).ConfigureAwait(false);
            results[stage.Index] = last;
        }

        return new ExecutedBuild(last!.Image, warnings);
    }
}
