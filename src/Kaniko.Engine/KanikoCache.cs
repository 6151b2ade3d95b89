using System.Runtime.Versioning;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Storage;

namespace Kaniko.Engine;

/// <summary>One unpacked layer of the cache directory's layer store.</summary>
/// <param name="DiffId">The layer's uncompressed digest, its key in the store.</param>
/// <param name="Size">The bytes it takes.</param>
/// <param name="LastUsed">When a build last used it.</param>
/// <param name="InUse">Whether a running build holds it now (it is never removed then).</param>
public sealed record UnpackedLayer(Digest DiffId, long Size, DateTimeOffset LastUsed, bool InUse);

/// <summary>What pruning the layer store removed and what it kept.</summary>
/// <param name="Removed">The layers removed, least recently used first.</param>
/// <param name="KeptBytes">The bytes the store still holds.</param>
public sealed record CachePruneResult(IReadOnlyList<UnpackedLayer> Removed, long KeptBytes);

/// <summary>
/// The cache directory as a host manages it (<c>dotnet kaniko cache ls|prune</c>): the layer store of unpacked base
/// layers (Linux only) and what killed builds left half-written.
/// </summary>
public static class KanikoCache
{
    /// <summary>The cache directory used when a host names none: <c>$KANIKO_CACHE_DIR</c>, else the user's cache folder.</summary>
    public static string DefaultDirectory => BlobStore.DefaultRoot;

    /// <summary>The unpacked layers of <paramref name="cacheDirectory"/>, least recently used first.</summary>
    [SupportedOSPlatform("linux")]
    public static IReadOnlyList<UnpackedLayer> List(string cacheDirectory) =>
        [.. Stores(cacheDirectory).SelectMany(s => s.List()).OrderBy(e => e.LastUsed).Select(ToLayer)];

    /// <summary>
    /// The size builds keep the layer store of <paramref name="cacheDirectory"/> under when
    /// <see cref="BuildRequest.LayerStoreSize"/> is not set: a tenth of the file system holding it, at most 20 GiB.
    /// </summary>
    [SupportedOSPlatform("linux")]
    public static long DefaultLayerStoreSize(string cacheDirectory) => LayerStoreSize.DefaultFor(cacheDirectory);

    /// <summary>Removes unpacked layers not in use, least recently used first, until at most <paramref name="keepBytes"/> remain.</summary>
    [SupportedOSPlatform("linux")]
    public static CachePruneResult Prune(string cacheDirectory, long keepBytes)
    {
        var result = LayerStore.PruneTogether(Stores(cacheDirectory), keepBytes);
        return new CachePruneResult([.. result.Removed.Select(ToLayer)], result.KeptBytes);
    }

    /// <summary>Removes what killed builds left in the system's temporary folder and in <paramref name="cacheDirectory"/>; returns how many.</summary>
    public static int RemoveLeftovers(string cacheDirectory) =>
        AbandonedLeftovers.Remove(Path.GetTempPath(), new BlobStore(cacheDirectory), NullBuildEventSink.Instance);

    // Root's layers and those of builds in a user namespace are kept apart (their whiteouts differ); both are listed.
    [SupportedOSPlatform("linux")]
    private static LayerStore[] Stores(string cacheDirectory) => [.. OverlayForm.All.Select(f => new LayerStore(cacheDirectory, 0, f))];

    private static UnpackedLayer ToLayer(LayerStoreEntry entry) => new(entry.DiffId, entry.Size, entry.LastUsed, entry.InUse);
}
