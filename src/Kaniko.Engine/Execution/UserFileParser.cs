using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Execution;

/// <summary>
/// Reads <c>/etc/passwd</c> and <c>/etc/group</c> as BuildKit does (<c>moby/sys/user</c>): one entry per line, fields
/// split at <c>:</c>, surrounding whitespace trimmed, blank lines skipped; a numeric field that does not parse reads
/// as 0 and missing fields read as empty. No line is rejected, so a file with odd lines still finds the names it has.
/// </summary>
internal static class UserFileParser
{
    /// <summary>Parses the bytes of a passwd file.</summary>
    public static IReadOnlyList<PasswdEntry> ParsePasswd(ReadOnlySpan<byte> content) =>
        Lines(content).Select(fields => new PasswdEntry(
            Field(fields, 0), Number(Field(fields, 2)), Number(Field(fields, 3)), Field(fields, 5), Field(fields, 6))).ToArray();

    /// <summary>Parses the bytes of a group file.</summary>
    public static IReadOnlyList<GroupEntry> ParseGroup(ReadOnlySpan<byte> content) =>
        Lines(content).Select(fields => new GroupEntry(
            Field(fields, 0),
            Number(Field(fields, 2)),
            Field(fields, 3).Length == 0 ? [] : Field(fields, 3).Split(','))).ToArray();

    private static List<string[]> Lines(ReadOnlySpan<byte> content)
    {
        var text = Encoding.UTF8.GetString(content);
        var lines = new List<string[]>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length > 0)
            {
                lines.Add(line.Split(':'));
            }
        }

        return lines;
    }

    private static string Field(string[] fields, int index) => index < fields.Length ? fields[index] : string.Empty;

    // Go's strconv.Atoi: an optional sign and decimal digits that fit in an int; anything else is ignored (0).
    private static int Number(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
