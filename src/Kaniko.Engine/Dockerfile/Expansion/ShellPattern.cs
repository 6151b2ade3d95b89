using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// The wildcard patterns of <c>${v#p}</c>, <c>${v%p}</c> and <c>${v/p/r}</c>: <c>*</c> matches any run of characters,
/// <c>?</c> any one character, and <c>\</c> escapes <c>*</c>, <c>?</c> and <c>\</c>; <c>\}</c> and <c>\/</c> stand
/// for <c>}</c> and <c>/</c>. There are no bracket expressions. BuildKit compiles these patterns to Go regular
/// expressions, so three of Go's rules hold here too: a wildcard never matches a line feed (Go's <c>.</c>), the first
/// match found by backtracking wins (leftmost-first, with <c>*</c> preferring the shortest run for <c>#</c> and
/// <c>%</c> and the longest for <c>##</c>, <c>%%</c> and <c>/</c>), and the replacement of <c>${v//p/r}</c> is a Go
/// template in which <c>$0</c> or <c>${0}</c> is the matched text and <c>$$</c> is a dollar sign.
/// </summary>
internal sealed class ShellPattern
{
    private const int AnyToken = -1;
    private const int StarToken = -2;

    private readonly int[] _tokens;
    private readonly bool _greedy;

    private ShellPattern(int[] tokens, bool greedy)
    {
        _tokens = tokens;
        _greedy = greedy;
    }

    /// <summary><c>${v#p}</c> and <c>${v##p}</c>: removes the matching prefix.</summary>
    public static string TrimPrefix(string pattern, string value, bool greedy, string word)
    {
        var compiled = Compile(pattern, greedy, word);
        var table = compiled.BuildTable(value);
        return table[0] ? value[compiled.Walk(value, 0, table)..] : value;
    }

    /// <summary>
    /// <c>${v%p}</c> and <c>${v%%p}</c>: removes the matching suffix. As BuildKit does, this reverses the value and the
    /// pattern (keeping escape pairs together) and removes a prefix, because a leftmost search cannot find the shortest
    /// rightmost match.
    /// </summary>
    public static string TrimSuffix(string pattern, string value, bool greedy, string word) =>
        ReverseText(TrimPrefix(ReversePattern(pattern), ReverseText(value), greedy, word));

    /// <summary><c>${v/p/r}</c> and <c>${v//p/r}</c>: replaces the first match, or every match.</summary>
    public static string Replace(string value, string pattern, string replacement, bool all, string word)
    {
        var compiled = Compile(pattern, greedy: true, word);
        var table = compiled.BuildTable(value);
        if (!all)
        {
            var (start, end) = compiled.Find(value, 0, table);
            return start < 0 ? value : string.Concat(value.AsSpan(0, start), replacement, value.AsSpan(end));
        }

        // Go's ReplaceAllString: successive non-overlapping matches; an empty match right after a match is skipped.
        var result = new StringBuilder(value.Length + replacement.Length);
        var lastMatchEnd = 0;
        var searchPosition = 0;
        while (searchPosition <= value.Length)
        {
            var (start, end) = compiled.Find(value, searchPosition, table);
            if (start < 0)
            {
                break;
            }

            result.Append(value, lastMatchEnd, start - lastMatchEnd);
            if (end > lastMatchEnd || start == 0)
            {
                AppendTemplate(result, replacement, value, start, end);
            }

            lastMatchEnd = end;
            var width = searchPosition < value.Length ? RuneLength(value, searchPosition) : 1;
            searchPosition = searchPosition + width > end ? searchPosition + width : end;
        }

        return result.Append(value, lastMatchEnd, value.Length - lastMatchEnd).ToString();
    }

    private static ShellPattern Compile(string pattern, bool greedy, string word)
    {
        var tokens = new List<int>(pattern.Length);
        // Go's text/scanner skips a byte order mark at the very start of its input.
        var i = pattern.StartsWith('\uFEFF') ? 1 : 0;
        while (i < pattern.Length)
        {
            var token = ReadRune(pattern, ref i);
            switch (token)
            {
                case '*':
                    tokens.Add(StarToken);
                    break;
                case '?':
                    tokens.Add(AnyToken);
                    break;
                case '\\':
                    if (i < pattern.Length && pattern[i] is '}' or '/')
                    {
                        // The backslash only kept } or / from ending the ${...}; it is not part of the pattern.
                        break;
                    }

                    var escaped = i < pattern.Length ? ReadRune(pattern, ref i) : Rune.ReplacementChar.Value;
                    if (escaped is not ('*' or '?' or '\\'))
                    {
                        throw new ShellExpansionException(DiagnosticCodes.InvalidSubstitutionPattern, word,
                            string.Format(CultureInfo.InvariantCulture, Strings.ExpansionInvalidPatternEscape, pattern, CodePointText(escaped)));
                    }

                    tokens.Add(escaped);
                    break;
                default:
                    tokens.Add(token);
                    break;
            }
        }

        return new ShellPattern([.. tokens], greedy);
    }

    /// <summary>
    /// Which states can lead to a match: entry <c>[t * (length + 1) + p]</c> is true when tokens <c>t..</c> match
    /// some text starting at position <c>p</c>. Filled from the end in one pass, so that finding the match a
    /// backtracking engine would prefer never needs to backtrack (and takes linear time per token).
    /// </summary>
    private bool[] BuildTable(string text)
    {
        var stride = text.Length + 1;
        var table = new bool[(_tokens.Length + 1) * stride];
        Array.Fill(table, true, _tokens.Length * stride, stride);
        for (var t = _tokens.Length - 1; t >= 0; t--)
        {
            var token = _tokens[t];
            var row = t * stride;
            var next = row + stride;
            for (var p = text.Length; p >= 0; p--)
            {
                if (p == text.Length)
                {
                    table[row + p] = token == StarToken && table[next + p];
                    continue;
                }

                var length = RuneLength(text, p);
                table[row + p] = token == StarToken
                    ? table[next + p] || (text[p] != '\n' && table[row + p + length])
                    : Matches(token, text, p) && table[next + p + length];
            }
        }

        return table;
    }

    /// <summary>The leftmost match at or after <paramref name="from"/>, or (-1, -1).</summary>
    private (int Start, int End) Find(string text, int from, bool[] table)
    {
        for (var start = from; start <= text.Length; start += start < text.Length ? RuneLength(text, start) : 1)
        {
            if (table[start])
            {
                return (start, Walk(text, start, table));
            }
        }

        return (-1, -1);
    }

    /// <summary>
    /// Follows the match from <paramref name="start"/> (which the table says exists) choosing, at each wildcard, the
    /// first length in preference order from which the rest can still match: the longest for greedy patterns, the
    /// shortest otherwise. That is the match a backtracking engine, and so Go's leftmost-first search, returns.
    /// </summary>
    private int Walk(string text, int start, bool[] table)
    {
        var stride = text.Length + 1;
        var position = start;
        for (var t = 0; t < _tokens.Length; t++)
        {
            var next = (t + 1) * stride;
            if (_tokens[t] != StarToken)
            {
                position += RuneLength(text, position);
                continue;
            }

            if (_greedy)
            {
                var newline = text.IndexOf('\n', position);
                var end = newline < 0 ? text.Length : newline;
                while (!table[next + end])
                {
                    end = PreviousBoundary(text, end);
                }

                position = end;
            }
            else
            {
                while (!table[next + position])
                {
                    position += RuneLength(text, position);
                }
            }
        }

        return position;
    }

    private static bool Matches(int token, string text, int position) =>
        token == AnyToken ? text[position] != '\n' : CodePointAt(text, position) == token;

    private static int PreviousBoundary(string text, int index)
    {
        index--;
        if (index > 0 && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]))
        {
            index--;
        }

        return index;
    }

    /// <summary>Go's <c>Regexp.Expand</c> for a pattern without groups: only group 0 (the match) has a value.</summary>
    private static void AppendTemplate(StringBuilder result, string template, string text, int matchStart, int matchEnd)
    {
        var i = 0;
        while (i < template.Length)
        {
            var dollar = template.IndexOf('$', i);
            if (dollar < 0)
            {
                result.Append(template, i, template.Length - i);
                return;
            }

            result.Append(template, i, dollar - i);
            i = dollar + 1;
            if (i < template.Length && template[i] == '$')
            {
                result.Append('$');
                i++;
                continue;
            }

            if (!TryReadTemplateName(template, ref i, out var name))
            {
                result.Append('$');
                continue;
            }

            if (name.SequenceEqual("0"))
            {
                result.Append(text, matchStart, matchEnd - matchStart);
            }
        }
    }

    private static bool TryReadTemplateName(string template, ref int index, out ReadOnlySpan<char> name)
    {
        name = default;
        var position = index;
        var braced = position < template.Length && template[position] == '{';
        if (braced)
        {
            position++;
        }

        var start = position;
        while (position < template.Length)
        {
            Rune.DecodeFromUtf16(template.AsSpan(position), out var rune, out var consumed);
            if (!Rune.IsLetter(rune) && !Rune.IsDigit(rune) && rune.Value != '_')
            {
                break;
            }

            position += consumed;
        }

        if (position == start || (braced && (position >= template.Length || template[position] != '}')))
        {
            return false;
        }

        name = template.AsSpan(start, position - start);
        index = braced ? position + 1 : position;
        return true;
    }

    /// <summary>Reverses a pattern by characters, keeping each backslash before the character it escapes.</summary>
    private static string ReversePattern(string pattern)
    {
        var units = SplitRunes(pattern);
        var reversed = new string[units.Count];
        var last = units.Count - 1;
        for (var i = 0; i <= last;)
        {
            var target = last - i;
            if (units[i] == "\\" && i != last)
            {
                reversed[target - 1] = units[i];
                reversed[target] = units[i + 1];
                i += 2;
            }
            else
            {
                reversed[target] = units[i];
                i++;
            }
        }

        return string.Concat(reversed);
    }

    private static string ReverseText(string text)
    {
        if (text.Length < 2)
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            source.AsSpan().CopyTo(span);
            span.Reverse();
            // Reversing UTF-16 units turns each surrogate pair around; put them back in order.
            for (var i = 0; i + 1 < span.Length; i++)
            {
                if (char.IsLowSurrogate(span[i]) && char.IsHighSurrogate(span[i + 1]))
                {
                    (span[i], span[i + 1]) = (span[i + 1], span[i]);
                    i++;
                }
            }
        });
    }

    private static List<string> SplitRunes(string text)
    {
        var units = new List<string>(text.Length);
        for (var i = 0; i < text.Length;)
        {
            var length = RuneLength(text, i);
            units.Add(text.Substring(i, length));
            i += length;
        }

        return units;
    }

    private static string CodePointText(int codePoint) =>
        Rune.IsValid(codePoint) ? char.ConvertFromUtf32(codePoint) : ((char)codePoint).ToString();

    private static int ReadRune(string text, ref int index)
    {
        var codePoint = CodePointAt(text, index);
        index += RuneLength(text, index);
        return codePoint;
    }

    private static int RuneLength(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    private static int CodePointAt(string text, int index) =>
        RuneLength(text, index) == 2 ? char.ConvertToUtf32(text[index], text[index + 1]) : text[index];
}
