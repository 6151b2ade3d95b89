using System.Globalization;

namespace Kaniko.Engine.Compat;

/// <summary>
/// Parses durations the way Go's <c>time.ParseDuration</c> does, because Dockerfiles are written for it:
/// an optional sign, then one or more decimal numbers each with a unit (<c>ns</c>, <c>us</c>, <c>µs</c>, <c>ms</c>,
/// <c>s</c>, <c>m</c>, <c>h</c>), for example <c>1h30m</c> or <c>1.5s</c>. A bare <c>0</c> is allowed.
/// Precision below 100 ns (a <see cref="TimeSpan"/> tick) is truncated.
/// </summary>
internal static class GoDuration
{
    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m), ("us", 1_000m), ("µs", 1_000m), ("μs", 1_000m), ("ms", 1_000_000m),
        ("s", 1_000_000_000m), ("m", 60_000_000_000m), ("h", 3_600_000_000_000m),
    ];

    /// <summary>Parses <paramref name="text"/>; returns <c>false</c> when it is not a Go duration.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal totalNanoseconds = 0;
        while (!s.IsEmpty)
        {
            var numberLength = 0;
            var sawDigit = false;
            var sawDot = false;
            while (numberLength < s.Length && (char.IsAsciiDigit(s[numberLength]) || (s[numberLength] == '.' && !sawDot)))
            {
                sawDot |= s[numberLength] == '.';
                sawDigit |= char.IsAsciiDigit(s[numberLength]);
                numberLength++;
            }

            if (!sawDigit)
            {
                return false;
            }

            var number = decimal.Parse(s[..numberLength].ToString().TrimEnd('.') is { Length: > 0 } n ? (n.StartsWith('.') ? "0" + n : n) : "0", NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            s = s[numberLength..];
            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                return false;
            }

            var unit = s[..unitLength].ToString();
            var match = Array.FindIndex(Units, u => u.Unit == unit);
            if (match < 0)
            {
                return false;
            }

            totalNanoseconds += number * Units[match].Nanoseconds;
            if (totalNanoseconds > long.MaxValue)
            {
                return false;
            }

            s = s[unitLength..];
        }

        var ticks = (long)(totalNanoseconds / 100m);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Formats a duration the way Go prints one, for example <c>1m30s</c> or <c>500ms</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = duration < TimeSpan.Zero ? "-" : "";
        var d = duration.Duration();
        if (d < TimeSpan.FromSeconds(1))
        {
            var nanoseconds = d.Ticks * 100m;
            return nanoseconds >= 1_000_000m ? $"{sign}{(nanoseconds / 1_000_000m).ToString(CultureInfo.InvariantCulture)}ms"
                : nanoseconds >= 1_000m ? $"{sign}{(nanoseconds / 1_000m).ToString(CultureInfo.InvariantCulture)}µs"
                : $"{sign}{nanoseconds.ToString(CultureInfo.InvariantCulture)}ns";
        }

        var hours = (long)d.TotalHours;
        var minutes = d.Minutes;
        var seconds = (d - TimeSpan.FromHours(hours) - TimeSpan.FromMinutes(minutes)).Ticks / (decimal)TimeSpan.TicksPerSecond;
        var text = seconds.ToString("0.#######", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{sign}{hours}h{minutes}m{text}";
        }

        return minutes > 0 ? $"{sign}{minutes}m{text}" : sign + text;
    }
}
