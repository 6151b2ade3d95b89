using System.Text;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Reads the <c>Field: value</c> paragraphs of dpkg's status file (deb822) and apk's <c>X:value</c> database, the two
/// formats differing only in the separator. Continuation lines (dpkg's folded fields) belong to the field before and
/// are not needed, so they are skipped.
/// </summary>
internal static class ControlStanzas
{
    /// <summary>The paragraphs of <paramref name="content"/>, each a map from field name to its first line's value.</summary>
    public static IEnumerable<IReadOnlyDictionary<string, string>> Read(ReadOnlyMemory<byte> content, char separator)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in Encoding.UTF8.GetString(content.Span).Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (fields.Count > 0)
                {
                    yield return fields;
                    fields = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                continue;
            }

            var at = line.IndexOf(separator, StringComparison.Ordinal);
            if (at > 0)
            {
                fields.TryAdd(line[..at], line[(at + 1)..].Trim());
            }
        }

        if (fields.Count > 0)
        {
            yield return fields;
        }
    }
}
