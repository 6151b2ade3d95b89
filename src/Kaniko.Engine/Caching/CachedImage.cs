using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>
/// An image whose layers are read through a <see cref="BlobStore"/>: the base-image cache. Manifest and config are
/// the source's own (exact bytes kept); layer bytes are downloaded at most once per store.
/// </summary>
internal sealed class CachedImage : IImage
{
    /// <summary>Wraps <paramref name="source"/> so that every layer it opens is kept in <paramref name="store"/>.</summary>
    public CachedImage(IImage source, BlobStore store)
        : this(source, store, null)
    {
    }

    /// <summary>Wraps <paramref name="source"/> so that every layer it opens is kept in <paramref name="store"/>, each download reported to <paramref name="events"/>.</summary>
    public CachedImage(IImage source, BlobStore store, IBuildEventSink? events)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        Source = source;
        Layers = source.Layers.Select(layer => layer is CachedLayer ? layer : new CachedLayer(layer, store, events)).ToArray();
    }

    /// <summary>The wrapped image.</summary>
    public IImage Source { get; }

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest => Source.Manifest;

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config => Source.Config;

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers { get; }
}
