using System.Globalization;
using System.Text;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The few Go <c>fmt</c> verbs BuildKit uses to write history texts, reproduced so that <c>docker history</c> shows
/// the same lines for our images as for BuildKit's.
/// </summary>
internal static class GoFormat
{
    /// <summary><c>%v</c> of a <c>[]string</c>: <c>[a b c]</c>, nothing quoted.</summary>
    public static string List(IEnumerable<string> items) => "[" + string.Join(' ', items) + "]";

    /// <summary><c>%q</c> of a <c>[]string</c>: <c>["a" "b"]</c>, each item quoted as <c>strconv.Quote</c> does.</summary>
    public static string QuotedList(IEnumerable<string> items) => "[" + string.Join(' ', items.Select(GoQuote.Quote)) + "]";

    /// <summary>
    /// <c>%+v</c> of docker-image-spec's <c>HealthcheckConfig</c>: field names, durations as <c>time.Duration</c>
    /// prints them, for example <c>{Test:[CMD-SHELL true] Interval:30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:3}</c>.
    /// </summary>
    public static string Healthcheck(HealthcheckInstruction health)
    {
        var builder = new StringBuilder("{Test:");
        builder.Append(List(health.Test));
        builder.Append(" Interval:").Append(GoDuration.Format(health.Interval));
        builder.Append(" Timeout:").Append(GoDuration.Format(health.Timeout));
        builder.Append(" StartPeriod:").Append(GoDuration.Format(health.StartPeriod));
        builder.Append(" StartInterval:").Append(GoDuration.Format(health.StartInterval));
        builder.Append(" Retries:").Append(health.Retries.ToString(CultureInfo.InvariantCulture));
        return builder.Append('}').ToString();
    }

    /// <summary>A <c>time.Duration</c> in nanoseconds, or <c>null</c> for zero (the config field is <c>omitempty</c>).</summary>
    public static long? Nanoseconds(TimeSpan duration) => duration == TimeSpan.Zero ? null : duration.Ticks * 100;

    /// <summary>Go marshals an empty slice of an <c>omitempty</c> field as nothing; so do we.</summary>
    public static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string>? items) => items is { Count: > 0 } ? items : null;

    /// <summary>Formats a history or config timestamp.</summary>
    public static string Timestamp(DateTimeOffset time) => ImageConfigFile.FormatTimestamp(time);
}
