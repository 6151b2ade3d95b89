using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Caching;

/// <summary>The layer cache settings of a build, with kaniko's flags and defaults.</summary>
internal sealed record LayerCacheOptions
{
    /// <summary>kaniko's default time to live of cache entries: two weeks (<c>336h</c>).</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(336);

    /// <summary>Whether steps are looked up in, and their layers stored into, the cache (<c>--cache</c>).</summary>
    public bool Enabled { get; init; }

    /// <summary>
    /// The repository of the registry cache (<c>--cache-repo</c>), or <c>null</c> for the first destination's
    /// repository followed by <c>/cache</c>; with no destination at all the cache is local only.
    /// </summary>
    public string? Repository { get; init; }

    /// <summary>How long an entry is used after it was stored (<c>--cache-ttl</c>).</summary>
    public TimeSpan Ttl { get; init; } = DefaultTtl;

    /// <summary>Whether <c>COPY</c> and <c>ADD</c> layers are cached (<c>--cache-copy-layers</c>, off by default as in kaniko).</summary>
    public bool CopyLayers { get; init; }

    /// <summary>Whether <c>RUN</c> layers are cached (<c>--cache-run-layers</c>, on by default).</summary>
    public bool RunLayers { get; init; } = true;

    /// <summary>
    /// Parses a duration as Go's <c>time.ParseDuration</c> does (kaniko's flag type), such as <c>336h</c>,
    /// <c>1h30m</c> or <c>1.5h</c>.
    /// </summary>
    /// <exception cref="KanikoException">The text is not such a duration, or is negative (<see cref="DiagnosticCodes.InvalidCacheTtl"/>).</exception>
    public static TimeSpan ParseTtl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return GoDuration.TryParse(value, out var ttl) && ttl >= TimeSpan.Zero ? ttl : throw Invalid(value);
    }

    private static KanikoException Invalid(string value) =>
        new(DiagnosticCodes.InvalidCacheTtl, string.Format(CultureInfo.InvariantCulture, Strings.InvalidCacheTtl, value));
}
