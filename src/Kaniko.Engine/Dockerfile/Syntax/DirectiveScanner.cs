using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// Recognises parser directives (<c># syntax=</c>, <c># escape=</c>, <c># check=</c>) at the top of the file. The first
/// line that is not a directive, including a blank line or a plain comment, ends the search for good.
/// </summary>
internal sealed class DirectiveScanner
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private bool _done;

    /// <summary>The escape character in force: <c>\</c> or a backtick.</summary>
    public char EscapeToken { get; private set; } = '\\';

    /// <summary>The raw <c>syntax</c> value, if given.</summary>
    public string? Syntax { get; private set; }

    /// <summary>The raw <c>check</c> value, if given.</summary>
    public string? Check { get; private set; }

    /// <summary>
    /// Looks at one physical line (newline and leading whitespace already removed). Throws <see cref="SyntaxFault"/>
    /// for a repeated directive or an invalid escape character.
    /// </summary>
    public void Inspect(string line)
    {
        if (_done)
        {
            return;
        }

        if (!TryMatch(line, out var key, out var value))
        {
            _done = true;
            return;
        }

        if (!_seen.Add(key))
        {
            throw new SyntaxFault(DiagnosticCodes.DuplicateParserDirective,
                string.Format(CultureInfo.InvariantCulture, Strings.DuplicateParserDirective, key));
        }

        switch (key)
        {
            case "escape":
                if (value is not ("`" or "\\"))
                {
                    throw new SyntaxFault(DiagnosticCodes.InvalidEscapeDirective,
                        string.Format(CultureInfo.InvariantCulture, Strings.InvalidEscapeDirective, value));
                }

                EscapeToken = value[0];
                break;
            case "syntax":
                Syntax = value;
                break;
            default:
                Check = value;
                break;
        }
    }

    /// <summary>
    /// BuildKit's <c>#</c> + whitespace + <c>^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$</c> with a known key, written out
    /// by hand (Go's <c>\s</c> is <c>[\t\n\f\r ]</c>; the lazy value keeps at least one character).
    /// </summary>
    private static bool TryMatch(string line, out string key, out string value)
    {
        key = value = "";
        if (!line.StartsWith('#'))
        {
            return false;
        }

        var text = line[1..].TrimStart();
        var pos = 0;
        if (pos == text.Length || !char.IsAsciiLetter(text[pos]))
        {
            return false;
        }

        while (pos < text.Length && char.IsAsciiLetterOrDigit(text[pos]))
        {
            pos++;
        }

        var name = text[..pos];
        while (pos < text.Length && GoText.IsRegexSpace(text[pos]))
        {
            pos++;
        }

        if (pos == text.Length || text[pos] != '=')
        {
            return false;
        }

        var rest = text[(pos + 1)..];
        if (rest.Length == 0)
        {
            return false;
        }

        var first = 0;
        while (first < rest.Length && GoText.IsRegexSpace(rest[first]))
        {
            first++;
        }

        if (first == rest.Length)
        {
            // Only spaces: the lazy group still takes one of them.
            value = rest[^1..];
        }
        else
        {
            var last = rest.Length - 1;
            while (GoText.IsRegexSpace(rest[last]))
            {
                last--;
            }

            value = rest[first..(last + 1)];
        }

        key = name.ToLowerInvariant();
        return key is "syntax" or "escape" or "check";
    }
}
