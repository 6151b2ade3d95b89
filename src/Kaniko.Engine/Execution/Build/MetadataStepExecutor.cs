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
/// Steps that only change the image config (<c>ENV</c>, <c>LABEL</c>, <c>USER</c>, <c>WORKDIR /</c>...): applying
/// their metadata was all there was to do, and their history entry is an <c>empty_layer</c>.
/// </summary>
internal sealed class MetadataStepExecutor : IStepExecutor
{
    /// <inheritdoc />
    public bool Handles(StepLayerKind kind) => kind == StepLayerKind.None;

    /// <inheritdoc />
    public Task<ILayer?> ExecuteAsync(StageContext stage, StepPlan step, AppliedStep applied, CancellationToken cancellationToken) =>
        Task.FromResult<ILayer?>(null);
}
