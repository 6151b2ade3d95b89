using System.Globalization;
using System.Text;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// Reads a Dockerfile into its syntax tree exactly as BuildKit's parser does: parser directives, comments, line
/// continuations, keyword, flags and per-instruction argument shapes, JSON and shell forms, and heredoc bodies.
/// Nothing is expanded or validated beyond what BuildKit's parser itself rejects.
/// </summary>
internal static class DockerfileParser
{
    /// <summary>Parses the bytes of a Dockerfile.</summary>
    /// <param name="content">The file's exact bytes (a BOM, CRLF endings and a missing final newline are fine).</param>
    /// <param name="fileName">The name to use in locations, for example <c>Dockerfile</c>.</param>
    /// <returns>The instructions, directives and warnings.</returns>
    /// <exception cref="DockerfileSyntaxException">The file cannot be parsed; the error names the file and line.</exception>
    public static ParseResult Parse(ReadOnlySpan<byte> content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var reader = new PhysicalLineReader(content, fileName);
        var directives = new DirectiveScanner();
        var nodes = new List<SyntaxNode>();
        var warnings = new List<BuildWarning>();
        var buffer = new StringBuilder();

        while (reader.TryRead(out var physical))
        {
            var startLine = reader.LineNumber;
            var text = GoText.TrimNewline(physical).TrimStart();
            try
            {
                directives.Inspect(text);
            }
            catch (SyntaxFault fault)
            {
                throw fault.Locate(SourceRange.Line(fileName, startLine));
            }

            if (text.StartsWith('#'))
            {
                text = "";
            }

            var continues = ContinuationLine.TryStrip(text, directives.EscapeToken, out text);
            if (!continues && text.Length == 0)
            {
                continue;
            }

            buffer.Clear().Append(text);
            var firstEmptyLine = 0;
            while (continues && reader.TryRead(out physical))
            {
                var next = GoText.TrimNewline(physical);
                var left = next.TrimStart();
                if (left.StartsWith('#'))
                {
                    // A comment inside a continuation is dropped and the continuation goes on.
                    continue;
                }

                if (left.Length == 0)
                {
                    if (firstEmptyLine == 0)
                    {
                        firstEmptyLine = reader.LineNumber;
                    }

                    continue;
                }

                continues = ContinuationLine.TryStrip(next, directives.EscapeToken, out next);
                buffer.Append(next);
            }

            var line = buffer.ToString();
            if (firstEmptyLine != 0)
            {
                warnings.Add(new BuildWarning(DiagnosticCodes.EmptyContinuationLine,
                    string.Format(CultureInfo.InvariantCulture, Strings.EmptyContinuationLine, line),
                    SourceRange.Line(fileName, firstEmptyLine)));
            }

            SyntaxNode node;
            IReadOnlyList<Heredoc> markers = [];
            try
            {
                node = InstructionLineParser.Parse(line, directives.EscapeToken);
                if (node.CanContainHeredoc && line.Contains("<<", StringComparison.Ordinal))
                {
                    markers = HeredocMarkers.FromLine(line);
                }
            }
            catch (SyntaxFault fault)
            {
                throw fault.Locate(new SourceRange(fileName, startLine, reader.LineNumber));
            }
            catch (ShellWordException error)
            {
                throw new DockerfileSyntaxException(DiagnosticCodes.InvalidHeredocMarker,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidHeredocMarker, GoQuote.Quote(line), error.Message),
                    new SourceRange(fileName, startLine, reader.LineNumber));
            }

            var heredocs = markers.Count == 0 ? markers : ReadHeredocBodies(ref reader, markers, fileName, startLine);
            nodes.Add(node.Locate(startLine, reader.LineNumber, heredocs));
        }

        if (nodes.Count == 0)
        {
            throw new DockerfileSyntaxException(DiagnosticCodes.DockerfileHasNoInstructions, Strings.DockerfileHasNoInstructions,
                new SourceRange(fileName, 1, Math.Max(1, reader.LineNumber)));
        }

        var parserDirectives = new ParserDirectives(directives.EscapeToken, directives.Syntax, directives.Check);
        return new ParseResult(fileName, nodes, parserDirectives, warnings);
    }

    // Each marker's body follows the instruction, one after the other; a body ends at the line equal to its name
    // (after leading tabs for <<-), and no comment, continuation or directive rule applies inside it.
    private static List<Heredoc> ReadHeredocBodies(ref PhysicalLineReader reader, IReadOnlyList<Heredoc> markers,
                                                   string fileName, int startLine)
    {
        var heredocs = new List<Heredoc>(markers.Count);
        var content = new StringBuilder();
        foreach (var marker in markers)
        {
            content.Clear();
            var terminated = false;
            while (reader.TryRead(out var physical))
            {
                var candidate = GoText.TrimNewline(physical);
                if (marker.Chomp)
                {
                    candidate = candidate.TrimStart('\t');
                }

                if (string.Equals(candidate, marker.Name, StringComparison.Ordinal))
                {
                    terminated = true;
                    break;
                }

                content.Append(physical);
            }

            if (!terminated)
            {
                throw new DockerfileSyntaxException(DiagnosticCodes.UnterminatedHeredoc,
                    string.Format(CultureInfo.InvariantCulture, Strings.UnterminatedHeredoc, GoQuote.Quote(marker.Name)),
                    new SourceRange(fileName, startLine, Math.Max(startLine, reader.LineNumber)));
            }

            heredocs.Add(marker with { Content = content.ToString() });
        }

        return heredocs;
    }
}
