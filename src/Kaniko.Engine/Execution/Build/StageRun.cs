using Kaniko.Engine.Layers;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The state of one stage while it builds: its layers so far (base first), its root filesystem once a step needed
/// one, and its user files as last read. Each stage has its own, so stages can build in parallel.
/// </summary>
internal sealed class StageRun : IDisposable
{
    /// <summary>Starts a stage on <paramref name="baseLayers"/>.</summary>
    public StageRun(StagePlan stage, IReadOnlyList<ILayer> baseLayers)
    {
        Stage = stage;
        Layers = [.. baseLayers];
        BaseLayerCount = baseLayers.Count;
    }

    /// <summary>The stage.</summary>
    public StagePlan Stage { get; }

    /// <summary>The stage's layers so far: its base's, then its own.</summary>
    public List<ILayer> Layers { get; }

    /// <summary>How many of <see cref="Layers"/> come from the base.</summary>
    public int BaseLayerCount { get; }

    /// <summary>The root filesystem, once a step needed it.</summary>
    public StageRootFs? RootFs { get; set; }

    /// <summary>The stage's <c>/etc/passwd</c> and <c>/etc/group</c>, as last read.</summary>
    public EtcFiles? Etc { get; set; }

    /// <summary>The stage's cache keys and lookups (<see cref="StepLayerCache"/>).</summary>
    public required StepLayerCache LayerCache { get; init; }

    /// <summary>Writes the stage's layers: compressed when the image holds them, plain tars otherwise.</summary>
    public required StageLayerWriter Writer { get; init; }

    /// <summary>Removes the root filesystem's folder.</summary>
    public void Dispose()
    {
        if (OperatingSystem.IsLinux())
        {
            RootFs?.Dispose();
        }
    }
}

/// <summary>The user files of a stage as they were when it had <paramref name="LayerCount"/> layers.</summary>
/// <param name="LayerCount">How many layers the stage had when they were read.</param>
/// <param name="Passwd"><c>/etc/passwd</c>, or <c>null</c> when missing.</param>
/// <param name="Group"><c>/etc/group</c>, or <c>null</c> when missing.</param>
internal sealed record EtcFiles(int LayerCount, byte[]? Passwd, byte[]? Group);
