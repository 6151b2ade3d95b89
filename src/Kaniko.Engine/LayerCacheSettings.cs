using Kaniko.Engine.Caching;

namespace Kaniko.Engine;

/// <summary>
/// The layer cache of build steps (<c>--cache</c>, <c>--cache-repo</c>, <c>--cache-ttl</c>, <c>--cache-copy-layers</c>,
/// <c>--cache-run-layers</c>).
/// </summary>
public sealed record LayerCacheSettings
{
    /// <summary>How long a cached layer is reused when <c>--cache-ttl</c> is not given: two weeks, as kaniko.</summary>
    public static readonly TimeSpan DefaultTtl = LayerCacheOptions.DefaultTtl;

    /// <summary>Looks steps up in the cache and stores the layers they make (<c>--cache</c>).</summary>
    public bool Enabled { get; init; }

    /// <summary>The repository that holds the cache in a registry (<c>--cache-repo</c>), or <c>null</c> for the local cache only.</summary>
    public string? Repository { get; init; }

    /// <summary>How old a cached layer may be and still be used (<c>--cache-ttl</c>).</summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;

    /// <summary>Caches the layers of <c>COPY</c> and <c>ADD</c> steps too (<c>--cache-copy-layers</c>).</summary>
    public bool CopyLayers { get; init; }

    /// <summary>Caches the layers of <c>RUN</c> steps (<c>--cache-run-layers</c>, on by default).</summary>
    public bool RunLayers { get; init; } = true;

    /// <summary>Parses a <c>--cache-ttl</c> value as Go's <c>time.ParseDuration</c> (<c>6h</c>, <c>1h30m</c>); <c>KANIKO3404</c> when it is not one.</summary>
    public static TimeSpan ParseTtl(string value) => LayerCacheOptions.ParseTtl(value);

    /// <summary>The cache's own options.</summary>
    internal LayerCacheOptions ToOptions() => new()
    {
        Enabled = Enabled,
        Repository = Repository,
        Ttl = Ttl,
        CopyLayers = CopyLayers,
        RunLayers = RunLayers,
    };
}
