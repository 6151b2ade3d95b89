using System.Globalization;
using System.Text;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>
/// Turns one logical line into a node: the keyword, the <c>--flags</c>, then the arguments, shaped by the
/// instruction's argument parser (BuildKit's dispatch table). Lines and heredocs are added by the caller.
/// A parser, kept in one file on purpose: one argument parser per shape of BuildKit's dispatch table.
/// </summary>
internal static class InstructionLineParser
{
    /// <summary>Parses <paramref name="line"/>; throws <see cref="SyntaxFault"/> for an argument error.</summary>
    public static SyntaxNode Parse(string line, char escapeToken)
    {
        var trimmed = GoText.TrimSpace(line);
        var keywordEnd = 0;
        while (keywordEnd < trimmed.Length && !GoText.IsAsciiBlank(trimmed[keywordEnd]))
        {
            keywordEnd++;
        }

        var keyword = trimmed[..keywordEnd];
        IReadOnlyList<string> flags = [];
        var args = "";
        if (keywordEnd < trimmed.Length)
        {
            var restStart = keywordEnd;
            while (restStart < trimmed.Length && GoText.IsAsciiBlank(trimmed[restStart]))
            {
                restStart++;
            }

            (args, flags) = ExtractFlags(trimmed[restStart..], escapeToken);
            args = GoText.TrimSpace(args);
        }

        var arguments = new List<string>();
        SyntaxNode? nested = null;
        var isJson = false;
        switch (GoText.ToLower(keyword))
        {
            case "add" or "copy" or "volume":
                isJson = ParseJsonOrList(args, arguments);
                break;
            case "arg":
                arguments.AddRange(SplitWords(args, escapeToken));
                break;
            case "cmd" or "entrypoint" or "run" or "shell":
                isJson = ParseJsonOrString(args, arguments);
                break;
            case "env":
                ParseKeyValues(args, "ENV", escapeToken, arguments);
                break;
            case "label":
                ParseKeyValues(args, "LABEL", escapeToken, arguments);
                break;
            case "expose" or "from":
                SplitOnBlanks(args, arguments);
                break;
            case "healthcheck":
                isJson = ParseHealthcheck(args, arguments);
                break;
            case "maintainer" or "stopsignal" or "user" or "workdir":
                if (args.Length > 0)
                {
                    arguments.Add(args);
                }

                break;
            case "onbuild":
                if (args.Length > 0)
                {
                    nested = Parse(args, escapeToken);
                }

                break;
            default:
                // BuildKit keeps unknown instructions with one empty argument; the instruction layer rejects them.
                arguments.Add("");
                break;
        }

        return new SyntaxNode
        {
            Keyword = keyword,
            Flags = flags,
            Arguments = arguments,
            Nested = nested,
            IsJsonForm = isJson,
            Original = line,
        };
    }

    /// <summary>
    /// Takes the leading <c>--flag</c> words off <paramref name="text"/>. Quotes are removed and the escape character
    /// keeps the next character; a bare <c>--</c> ends the flags. Unlike BuildKit, which reads this part byte by byte
    /// and so mangles non-ASCII flags, this works on characters.
    /// </summary>
    internal static (string Remaining, IReadOnlyList<string> Flags) ExtractFlags(string text, char escapeToken)
    {
        var (stop, flags) = ScanWords(text, escapeToken, WordRules.Flags);
        return (stop < 0 ? "" : text[stop..], flags);
    }

    /// <summary>
    /// BuildKit's word splitter for ARG, ENV and LABEL: it only finds word boundaries and keeps quotes and escapes.
    /// </summary>
    internal static List<string> SplitWords(string text, char escapeToken) => ScanWords(text, escapeToken, WordRules.Raw).Words;

    /// <summary>The two ways BuildKit splits an instruction's text into words with one state machine.</summary>
    private enum WordRules
    {
        /// <summary>
        /// BuildKit's <c>extractBuilderFlags</c>: only leading words that start with <c>--</c>; quotes and escapes are
        /// removed, the escape character works inside single quotes too, and a bare <c>--</c> ends the flags.
        /// </summary>
        Flags,

        /// <summary>BuildKit's <c>parseWords</c>: every word, with its quotes and escapes kept; single quotes escape nothing.</summary>
        Raw,
    }

    /// <summary>
    /// Splits <paramref name="text"/> into words by <paramref name="rules"/>. Returns where the flags stopped (the
    /// first character of the rest, or -1 when the text ended) and the words. Written by hand because the two rule
    /// sets must match BuildKit's quirks exactly (empty quoted words count, an escape at the end is dropped).
    /// </summary>
    private static (int Stop, List<string> Words) ScanWords(string text, char escapeToken, WordRules rules)
    {
        var flags = rules == WordRules.Flags;
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var inQuote = false;
        var quote = '\0';
        var blankOk = false;
        for (var pos = 0; pos <= text.Length; pos++)
        {
            var atEnd = pos == text.Length;
            var ch = atEnd ? '\0' : text[pos];
            var last = pos + 1 == text.Length;
            if (!inWord)
            {
                if (atEnd)
                {
                    break;
                }

                if (GoText.IsSpace(ch))
                {
                    continue;
                }

                if (flags && (ch != '-' || last || text[pos + 1] != '-'))
                {
                    return (pos, words);
                }

                inWord = true;
            }

            if (atEnd)
            {
                if ((blankOk || word.Length > 0) && !(flags && word.ToString() == "--"))
                {
                    words.Add(word.ToString());
                }

                break;
            }

            if (inQuote)
            {
                if (ch == quote)
                {
                    inQuote = false;
                    if (flags)
                    {
                        continue;
                    }
                }
                else if (ch == escapeToken && (flags || quote != '\''))
                {
                    if (last)
                    {
                        inQuote = false;
                        continue;
                    }

                    KeepEscape(word, ch, rules);
                    ch = text[++pos];
                }

                Append(word, ch, rules);
                continue;
            }

            if (GoText.IsSpace(ch))
            {
                inWord = false;
                if (flags && word.ToString() == "--")
                {
                    return (pos, words);
                }

                if (blankOk || word.Length > 0)
                {
                    words.Add(word.ToString());
                }

                word.Clear();
                blankOk = false;
                continue;
            }

            if (ch is '\'' or '"')
            {
                quote = ch;
                blankOk = true;
                inQuote = true;
                if (!flags)
                {
                    Append(word, ch, rules);
                }

                continue;
            }

            if (ch == escapeToken)
            {
                if (last)
                {
                    continue;
                }

                KeepEscape(word, ch, rules);
                ch = text[++pos];
            }

            Append(word, ch, rules);
        }

        return (-1, words);
    }

    // Go writes the rune it decoded, so on the raw path an invalid byte comes out as U+FFFD.
    private static void Append(StringBuilder word, char ch, WordRules rules)
    {
        if (rules == WordRules.Raw)
        {
            AppendWordChar(word, ch);
        }
        else
        {
            word.Append(ch);
        }
    }

    // The raw rules keep an escape character in the word; the flag rules drop it and keep only what it escapes.
    private static void KeepEscape(StringBuilder word, char escape, WordRules rules)
    {
        if (rules == WordRules.Raw)
        {
            AppendWordChar(word, escape);
        }
    }

    private static void AppendWordChar(StringBuilder word, char ch) =>
        word.Append(GoText.TryGetEscapedByte(ch, out _) ? '\uFFFD' : ch);

    private static void ParseKeyValues(string args, string instruction, char escapeToken, List<string> arguments)
    {
        var words = SplitWords(args, escapeToken);
        if (words.Count == 0)
        {
            return;
        }

        if (!words[0].Contains('=', StringComparison.Ordinal))
        {
            // Legacy form: KEY the rest of the line, verbatim.
            var keyEnd = 0;
            while (keyEnd < args.Length && !GoText.IsAsciiBlank(args[keyEnd]))
            {
                keyEnd++;
            }

            var valueStart = keyEnd;
            while (valueStart < args.Length && GoText.IsAsciiBlank(args[valueStart]))
            {
                valueStart++;
            }

            if (keyEnd == args.Length)
            {
                throw new SyntaxFault(DiagnosticCodes.KeyValueMissingValue,
                    string.Format(CultureInfo.InvariantCulture, Strings.KeyValueMissingValue, instruction));
            }

            arguments.Add(args[..keyEnd]);
            arguments.Add(args[valueStart..]);
            arguments.Add("");
            return;
        }

        foreach (var word in words)
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                throw new SyntaxFault(DiagnosticCodes.KeyValueMissingEquals,
                    string.Format(CultureInfo.InvariantCulture, Strings.KeyValueMissingEquals, GoQuote.Quote(word)));
            }

            arguments.Add(word[..equals]);
            arguments.Add(word[(equals + 1)..]);
            arguments.Add("=");
        }
    }

    private static void SplitOnBlanks(string args, List<string> arguments)
    {
        if (args.Length == 0)
        {
            return;
        }

        var start = 0;
        var pos = 0;
        while (pos < args.Length)
        {
            if (!GoText.IsAsciiBlank(args[pos]))
            {
                pos++;
                continue;
            }

            arguments.Add(args[start..pos]);
            while (pos < args.Length && GoText.IsAsciiBlank(args[pos]))
            {
                pos++;
            }

            start = pos;
        }

        // Go's regexp.Split keeps a trailing empty piece when the text ends with blanks (it never does here).
        arguments.Add(args[start..]);
    }

    private static bool ParseJsonOrString(string args, List<string> arguments)
    {
        if (args.Length == 0)
        {
            return false;
        }

        if (TryParseJson(args, arguments))
        {
            return true;
        }

        arguments.Add(args);
        return false;
    }

    private static bool ParseJsonOrList(string args, List<string> arguments)
    {
        if (TryParseJson(args, arguments))
        {
            return true;
        }

        SplitOnBlanks(args, arguments);
        return false;
    }

    private static bool TryParseJson(string args, List<string> arguments)
    {
        switch (JsonStringArray.Read(args, out var items))
        {
            case JsonArrayOutcome.Strings:
                arguments.AddRange(items);
                return true;
            case JsonArrayOutcome.NonStringElement:
                throw new SyntaxFault(DiagnosticCodes.JsonArrayNotStrings, Strings.JsonArrayNotStrings);
            default:
                return false;
        }
    }

    private static bool ParseHealthcheck(string args, List<string> arguments)
    {
        var typeEnd = 0;
        while (typeEnd < args.Length && !GoText.IsSpace(args[typeEnd]))
        {
            typeEnd++;
        }

        if (typeEnd == 0)
        {
            return false;
        }

        var commandStart = typeEnd;
        while (commandStart < args.Length && GoText.IsSpace(args[commandStart]))
        {
            commandStart++;
        }

        arguments.Add(args[..typeEnd]);
        return ParseJsonOrString(args[commandStart..], arguments);
    }
}
