using System.Globalization;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// Finds a likely intended word for a misspelt one, as BuildKit's <c>suggest</c> package does: the closest option at
/// a Levenshtein distance below 3, or none when the word is already an option.
/// </summary>
internal static class Suggestion
{
    /// <summary>The closest option, in the case style of <paramref name="value"/> when matching ignores case; or <c>null</c>.</summary>
    internal static string? Find(string value, IEnumerable<string> options, bool caseSensitive)
    {
        var wanted = caseSensitive ? value : value.ToLowerInvariant();
        string? match = null;
        var best = 3;
        foreach (var option in options)
        {
            var candidate = caseSensitive ? option : option.ToLowerInvariant();
            if (candidate == wanted)
            {
                return null;
            }

            var distance = Distance(wanted, candidate);
            if (distance < best)
            {
                best = distance;
                match = caseSensitive ? candidate
                    : value == value.ToUpperInvariant() ? candidate.ToUpperInvariant()
                    : candidate;
            }
        }

        return match;
    }

    /// <summary>Appends <c> (did you mean X?)</c> to a message when there is a suggestion.</summary>
    internal static string Append(string message, string? suggestion) =>
        suggestion is null ? message : message + string.Format(CultureInfo.InvariantCulture, Strings.DidYouMean, suggestion);

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
