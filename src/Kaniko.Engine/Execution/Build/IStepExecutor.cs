using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Carries out the side effects of one kind of step once <see cref="ImageConfigState"/> has applied its metadata:
/// the copy/add, <c>WORKDIR</c>, <c>RUN</c> and metadata-only executors. <see cref="StageExecutor"/> is the loop that
/// hands each step to the one executor whose <see cref="Handles"/> accepts its <see cref="StepLayerKind"/>.
/// </summary>
internal interface IStepExecutor
{
    /// <summary>Whether this executor carries out steps of <paramref name="kind"/>.</summary>
    bool Handles(StepLayerKind kind);

    /// <summary>Carries out <paramref name="applied"/>; returns the layer it wrote, or <c>null</c> for none.</summary>
    /// <param name="stage">The stage being built: its plan, state, files and layers so far.</param>
    /// <param name="step">The step as planned (its sources name the stages and images it reads).</param>
    /// <param name="applied">The step after its metadata was applied to the stage's config.</param>
    /// <param name="cancellationToken">Stops the build.</param>
    Task<ILayer?> ExecuteAsync(StageContext stage, StepPlan step, AppliedStep applied, CancellationToken cancellationToken);
}

/// <summary>The state of one stage that its steps read and change, handed to every <see cref="IStepExecutor"/>.</summary>
/// <param name="Plan">The whole plan (for the target platform).</param>
/// <param name="Stage">The stage being built.</param>
/// <param name="Platform">The platform the stage runs as (<see cref="StageExecutor.PlatformOf"/>).</param>
/// <param name="Earlier">The stages built so far, by stage index.</param>
/// <param name="State">The stage's image config, changed by each step's metadata.</param>
/// <param name="Filesystem">What the stage knows of its files (for copy destinations and owners).</param>
/// <param name="Run">The stage's layers, root filesystem and layer cache.</param>
internal sealed record StageContext(
    BuildPlan Plan, StagePlan Stage, Oci.Platform Platform, IReadOnlyDictionary<int, StageResult> Earlier, ImageConfigState State,
    StageFilesystem Filesystem, StageRun Run);
