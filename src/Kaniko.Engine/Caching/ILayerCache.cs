using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>A place where the layers of build steps are kept by <see cref="CacheKey"/>.</summary>
internal interface ILayerCache
{
    /// <summary>Where the cache is, for messages (a folder or a repository).</summary>
    string Description { get; }

    /// <summary>
    /// The layer stored under <paramref name="key"/>, or <c>null</c> when there is none or it is older than the
    /// cache's time to live. A hit downloads nothing: the layer is read only when a step or an output opens it.
    /// </summary>
    Task<LayerCacheHit?> TryGetAsync(CacheKey key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="layer"/> under <paramref name="key"/>, replacing an entry that was there.</summary>
    Task StoreAsync(CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken);
}

/// <summary>A layer found in a cache.</summary>
/// <param name="Layer">The layer, read lazily.</param>
/// <param name="Created">When the entry was stored (the time to live counts from here).</param>
/// <param name="Source">The cache that had it (<see cref="ILayerCache.Description"/>).</param>
/// <param name="Changes">The <see cref="LayerCacheRecord.Changes"/> stored with it, or <c>null</c>.</param>
internal sealed record LayerCacheHit(ILayer Layer, DateTimeOffset Created, string Source, IReadOnlyList<string>? Changes = null);

/// <summary>What is stored beside a cached layer.</summary>
/// <param name="CreatedBy">The step's history text, as the built image records it.</param>
/// <param name="Platform">The platform of the stage that made the layer.</param>
/// <param name="Changes">
/// What the step changed that later steps must know without reading the layer (for a <c>RUN</c>: its directories and
/// deletions), in the executor's own text form; <c>null</c> when the layer alone says enough.
/// </param>
internal sealed record LayerCacheRecord(string CreatedBy, Platform Platform, IReadOnlyList<string>? Changes = null);
