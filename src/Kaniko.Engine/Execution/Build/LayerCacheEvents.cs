using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution;

/// <summary>A layer-making step was looked up in the layer cache (<c>--cache</c>).</summary>
/// <param name="Step">The step, as its history records it.</param>
/// <param name="Key">The step's cache key.</param>
/// <param name="Hit">Whether the cache had the layer (the step then did not run).</param>
/// <param name="Source">The cache that had it, or <c>null</c> on a miss.</param>
public sealed record LayerCacheLookupEvent(string Step, CacheKey Key, bool Hit, string? Source) : BuildEvent
{
    /// <summary>The line a console shows: <c>cache hit (local /path): COPY a /b</c> or <c>cache miss: COPY a /b</c>.</summary>
    public override string ToString() => Hit
        ? $"cache hit {Key.Short} ({Source}): {Step}"
        : $"cache miss {Key.Short}: {Step}";
}
