using System.Text;
using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Context;

/// <summary>One pattern of an ignore file, normalised, with the physical line it came from.</summary>
/// <param name="Text">The pattern as Docker's ignore-file reader returns it (an exception keeps its leading <c>!</c>).</param>
/// <param name="Line">The 1-based physical line in the ignore file.</param>
internal readonly record struct IgnoreFileLine(string Text, int Line);

/// <summary>
/// Reads <c>.dockerignore</c> bytes into normalised patterns by the rules of Docker's <c>ignorefile.ReadAll</c>:
/// a UTF-8 BOM is dropped from the first line only; lines end at LF with one CR before it removed; a line whose first
/// character is <c>#</c> is a comment (checked before trimming, so an indented <c>#</c> is a pattern); blank lines are
/// skipped; whitespace is trimmed, then after a leading <c>!</c> again; the rest is cleaned as a path and one leading
/// <c>/</c> dropped. On Windows a backslash is a separator like <c>/</c>, as docker reads the file there.
/// </summary>
internal static class IgnoreFileReader
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static IReadOnlyList<IgnoreFileLine> Read(ReadOnlySpan<byte> content)
    {
        var patterns = new List<IgnoreFileLine>();
        var lineNumber = 0;
        while (!content.IsEmpty)
        {
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (lineNumber == 0 && line.StartsWith("\uFEFF"u8))
            {
                line = line[3..];
            }

            lineNumber++;
            if (!line.IsEmpty && line[0] == (byte)'#')
            {
                continue;
            }

            var pattern = Normalise(Utf8.GetString(line));
            if (pattern is not null)
            {
                patterns.Add(new IgnoreFileLine(pattern, lineNumber));
            }
        }

        return patterns;
    }

    /// <summary>Normalises one raw line; <c>null</c> when the line holds no pattern.</summary>
    public static string? Normalise(string rawLine)
    {
        var pattern = rawLine.Trim();
        if (pattern.Length == 0)
        {
            return null;
        }

        var exception = pattern[0] == '!';
        if (exception)
        {
            pattern = pattern[1..].Trim();
        }

        if (pattern.Length > 0)
        {
            if (OperatingSystem.IsWindows())
            {
                // Docker on Windows cleans the pattern as a Windows path and turns its separators into slashes: a
                // backslash there separates names, as in a Windows path, and escapes nothing.
                pattern = pattern.Replace('\\', '/');
            }

            pattern = GoPath.Clean(pattern);
            if (pattern.Length > 1 && pattern[0] == '/')
            {
                pattern = pattern[1..];
            }
        }

        return exception ? "!" + pattern : pattern;
    }
}
