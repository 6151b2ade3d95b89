using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>One range of subordinate ids a user may map into a user namespace.</summary>
/// <param name="Start">The first host id of the range.</param>
/// <param name="Count">How many ids the range holds (at least one).</param>
internal sealed record SubordinateIdRange(uint Start, uint Count);

/// <summary>
/// Reads the ranges of <c>/etc/subuid</c> and <c>/etc/subgid</c> (shadow-utils' <c>subid(5)</c>: lines
/// <c>USER:START:COUNT</c>, the user by name or by uid). Only the user's first range counts: it is the one
/// <c>unshare --map-auto</c> maps. Comment and blank lines, and lines of other users, are skipped; a line of this user
/// that is not three fields of decimal numbers, has a count of zero, or runs past the last 32-bit id is an error
/// (<c>KANIKO4462</c>): <c>newuidmap</c> would refuse it later with a terser message.
/// </summary>
internal static class SubordinateIds
{
    /// <summary>The user's first range in <paramref name="content"/>, or <c>null</c> when it has none.</summary>
    /// <param name="content">The file's text.</param>
    /// <param name="fileName">The file, for messages.</param>
    /// <param name="userName">The user's name, or <c>null</c> when it has none (a uid without a passwd entry).</param>
    /// <param name="uid">The user's id.</param>
    public static SubordinateIdRange? FirstRange(string content, string fileName, string? userName, uint uid)
    {
        ArgumentNullException.ThrowIfNull(content);
        var uidText = uid.ToString(CultureInfo.InvariantCulture);
        var lineNumber = 0;
        foreach (var rawLine in content.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split(':');
            if (fields[0] != userName && fields[0] != uidText)
            {
                continue;
            }

            if (fields.Length != 3
                || !uint.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count == 0
                || (ulong)start + count - 1 > uint.MaxValue)
            {
                throw Invalid(fileName, lineNumber, line);
            }

            return new SubordinateIdRange(start, count);
        }

        return null;
    }

    /// <summary>Reads <paramref name="path"/> (a missing file holds no ranges) and returns the user's first range.</summary>
    public static SubordinateIdRange? FirstRangeInFile(string path, string? userName, uint uid) =>
        File.Exists(path) ? FirstRange(File.ReadAllText(path), path, userName, uid) : null;

    private static KanikoException Invalid(string fileName, int lineNumber, string line) =>
        new(DiagnosticCodes.RootlessIdRangesInvalid, string.Format(
            CultureInfo.InvariantCulture, Strings.RootlessIdRangesInvalid, fileName, lineNumber, line));
}
