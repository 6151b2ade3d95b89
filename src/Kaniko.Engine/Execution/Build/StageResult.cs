using Kaniko.Engine.Images;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution;

/// <summary>A stage once built: its image, its config state and what it knows of its directories.</summary>
/// <param name="Stage">The stage's plan.</param>
/// <param name="Image">The image the stage produced.</param>
/// <param name="State">The config state after the last step, for stages that start from this one.</param>
/// <param name="Filesystem">The directories the stage knows, for stages that start from this one.</param>
public sealed record StageResult(StagePlan Stage, MutatedImage Image, ImageConfigState State, StageFilesystem Filesystem)
{
    /// <summary>The layer cache key of the stage's last layer-making step: the base of the keys of a stage that starts from this one.</summary>
    public string? CacheChain { get; init; }
}
