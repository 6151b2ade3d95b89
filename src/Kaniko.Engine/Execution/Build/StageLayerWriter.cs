using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Writes the layers of one stage. A stage the image holds (<see cref="Planning.BuildPlan.IsExported"/>) gets
/// compressed blobs, as outputs push them; any other stage is read only by this build (its files are copied or
/// mounted, its layers unpacked), so its layers are plain tars and cost no compression on the way to the stages that
/// wait for it. A layer cache still stores them compressed: <see cref="ForCacheAsync"/> compresses in the cache's
/// background writes, to the same bytes an exported stage writes, so keys and cached blobs do not depend on the target.
/// </summary>
/// <param name="writer">The build's layer writer (its compression and level).</param>
/// <param name="directory">Where the blobs go (the build's work folder).</param>
/// <param name="exported">Whether an output holds the stage's layers.</param>
internal sealed class StageLayerWriter(LayerWriter writer, string directory, bool exported)
{
    /// <summary>Writes <paramref name="entries"/> as one of the stage's layers.</summary>
    public async Task<ILayer> WriteAsync(IEnumerable<LayerEntry> entries, CancellationToken cancellationToken) => exported
        ? await writer.WriteAsync(entries, directory, cancellationToken).ConfigureAwait(false)
        : await writer.WriteUncompressedAsync(entries, directory, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether <paramref name="layer"/> must be compressed before a cache stores it.</summary>
    public static bool NeedsCompression(ILayer layer) =>
        LayerCompressionCodec.IsUncompressed((layer ?? throw new ArgumentNullException(nameof(layer))).MediaType);

    /// <summary><paramref name="layer"/> as a cache stores it: compressed as the build's exported layers are.</summary>
    public async Task<ILayer> ForCacheAsync(ILayer layer, CancellationToken cancellationToken) => NeedsCompression(layer)
        ? await writer.CompressAsync(layer, directory, cancellationToken).ConfigureAwait(false)
        : layer;
}
