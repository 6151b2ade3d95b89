using Kaniko.Engine.Images;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>A stage once built: its image, its config state and what it knows of its directories.</summary>
/// <param name="Stage">The stage's plan.</param>
/// <param name="Image">The image the stage produced.</param>
/// <param name="State">The config state after the last step, for stages that start from this one.</param>
/// <param name="Filesystem">The directories the stage knows, for stages that start from this one.</param>
internal sealed record StageResult(StagePlan Stage, MutatedImage Image, ImageConfigState State, StageFilesystem Filesystem)
{
    /// <summary>The layer cache key of the stage's last layer-making step: the base of the keys of a stage that starts from this one.</summary>
    public string? CacheChain { get; init; }
    /// <summary>
    /// The stage's root filesystem, when it made one and a later stage starts from it: the first such stage takes it
    /// instead of unpacking the same layers again. Whoever ends the build disposes what nobody took.
    /// </summary>
    internal RootFsHandOff? RootFs { get; init; }
}

/// <summary>A stage's root filesystem offered to the one stage that may take it over.</summary>
internal sealed class RootFsHandOff(StageRootFs rootFs) : IDisposable
{
    private StageRootFs? _rootFs = rootFs;

    /// <summary>The root filesystem, to the first caller only; <c>null</c> afterwards or once disposed.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public StageRootFs? Take() => Interlocked.Exchange(ref _rootFs, null);

    /// <summary>Removes the root filesystem unless it was taken.</summary>
    public void Dispose()
    {
        if (OperatingSystem.IsLinux())
        {
            Take()?.Dispose();
        }
    }
}
