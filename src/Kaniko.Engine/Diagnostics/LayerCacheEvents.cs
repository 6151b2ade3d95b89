namespace Kaniko.Engine.Diagnostics;

/// <summary>A layer-making step was looked up in the layer cache (<c>--cache</c>).</summary>
/// <param name="Step">The step, as its history records it.</param>
/// <param name="Key">The step's cache key (hex SHA-256).</param>
/// <param name="Hit">Whether the cache had the layer (the step then did not run).</param>
/// <param name="Source">The cache that had it, or <c>null</c> on a miss.</param>
public sealed record LayerCacheLookupEvent(string Step, string Key, bool Hit, string? Source) : BuildEvent
{
    /// <summary>The key's first twelve characters, as a console shows it.</summary>
    public string ShortKey => Key.Length > 12 ? Key[..12] : Key;

    /// <summary>The line a console shows: <c>cache hit (local /path): COPY a /b</c> or <c>cache miss: COPY a /b</c>.</summary>
    public override string ToString() => Hit
        ? $"cache hit {ShortKey} ({Source}): {Step}"
        : $"cache miss {ShortKey}: {Step}";
}
