using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Caching;

/// <summary>The layer cache settings of a build, with kaniko's flags and defaults.</summary>
public sealed record LayerCacheOptions
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
    /// Parses a duration as Go's <c>time.ParseDuration</c> does (kaniko's flag type): decimal numbers, each with an
    /// optional fraction and a unit (<c>ns</c>, <c>us</c>, <c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>), such
    /// as <c>336h</c>, <c>1h30m</c> or <c>1.5h</c>; <c>0</c> alone is zero.
    /// </summary>
    /// <exception cref="KanikoException">The text is not such a duration, or is negative (<see cref="DiagnosticCodes.InvalidCacheTtl"/>).</exception>
    public static TimeSpan ParseTtl(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value == "0")
        {
            return TimeSpan.Zero;
        }

        var ticks = 0m;
        var position = 0;
        while (position < value.Length)
        {
            var start = position;
            while (position < value.Length && (char.IsAsciiDigit(value[position]) || value[position] == '.'))
            {
                position++;
            }

            var unitStart = position;
            while (position < value.Length && !char.IsAsciiDigit(value[position]) && value[position] != '.')
            {
                position++;
            }

            var number = value[start..unitStart];
            var perUnit = value[unitStart..position] switch
            {
                "ns" => 0.01m,
                "us" or "µs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1m,
            };
            if (perUnit < 0 || number.Length == 0 || number == "."
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                throw Invalid(value);
            }

            ticks += amount * perUnit;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                throw Invalid(value);
            }
        }

        return value.Length == 0 ? throw Invalid(value) : TimeSpan.FromTicks((long)ticks);
    }

    private static KanikoException Invalid(string value) =>
        new(DiagnosticCodes.InvalidCacheTtl, string.Format(CultureInfo.InvariantCulture, Strings.InvalidCacheTtl, value));
}
