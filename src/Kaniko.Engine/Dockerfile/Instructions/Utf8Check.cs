using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>
/// Refuses an instruction that holds bytes which are not UTF-8. BuildKit keeps them as Go string bytes: a RUN command
/// gets them unchanged, but the image config and history (JSON) get U+FFFD in their place. This tool's strings are
/// Unicode, so such a byte would reach a command or a label changed; it stops at the line instead, never changing a
/// command silently. Comments may hold any bytes (the parser drops them).
/// </summary>
internal static class Utf8Check
{
    /// <summary>Throws <c>KANIKO1015</c>, located at the line, when <paramref name="node"/> holds a byte that is not UTF-8.</summary>
    public static void Require(SyntaxNode node, SourceRange range)
    {
        // The instruction's lines (continuations and here-documents included): its text is joined, not physical.
        foreach (var text in node.Heredocs.Select(h => h.Content).Prepend(node.Original))
        {
            if (FindEscapedByte(text) is { } value)
            {
                throw Error(range, value);
            }
        }

        if (node.Nested is { } nested)
        {
            Require(nested, range);
        }
    }

    private static byte? FindEscapedByte(string text)
    {
        foreach (var c in text)
        {
            if (GoText.TryGetEscapedByte(c, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private static KanikoException Error(SourceRange range, byte value) => new(
        DiagnosticCodes.DockerfileNotUtf8,
        string.Format(CultureInfo.InvariantCulture, Strings.DockerfileNotUtf8, value),
        range);
}
