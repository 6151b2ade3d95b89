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

    private readonly int[] tokens;
    private readonly bool greedy;

    private ShellPattern(int[] tokens, bool greedy)
    {
        this.tokens = tokens;
        this.greedy = greedy;
    }

    /// <summary><c>${v#p}</c> and <c>${v##p}</c>: removes the matching prefix.</summary>
    public static string TrimPrefix(string pattern, string value, bool greedy, string word)
    {
        var compiled = Compile(pattern, greedy, word);
        var end = compiled.MatchAt(value, 0, new FailureMemo(compiled.tokens.Length, value.Length));
        return end < 0 ? value : value[end..];
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
        var memo = new FailureMemo(compiled.tokens.Length, value.Length);
        if (!all)
        {
            var (start, end) = compiled.Find(value, 0, memo);
            return start < 0 ? value : string.Concat(value.AsSpan(0, start), replacement, value.AsSpan(end));
        }

        // Go's ReplaceAllString: successive non-overlapping matches; an empty match right after a match is skipped.
        var result = new StringBuilder(value.Length + replacement.Length);
        var lastMatchEnd = 0;
        var searchPosition = 0;
        while (searchPosition <= value.Length)
        {
            var (start, end) = compiled.Find(value, searchPosition, memo);
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

    /// <summary>The leftmost match at or after <paramref name="from"/>, or (-1, -1).</summary>
    private (int Start, int End) Find(string text, int from, FailureMemo memo)
    {
        for (var start = from; start <= text.Length; start += start < text.Length ? RuneLength(text, start) : 1)
        {
            var end = MatchAt(text, start, memo);
            if (end >= 0)
            {
                return (start, end);
            }
        }

        return (-1, -1);
    }

    /// <summary>Matches the pattern from <paramref name="start"/>; returns the end of the preferred match or -1.</summary>
    private int MatchAt(string text, int start, FailureMemo memo) => MatchFrom(text, 0, start, memo);

    private int MatchFrom(string text, int tokenIndex, int position, FailureMemo memo)
    {
        for (; tokenIndex < tokens.Length; tokenIndex++)
        {
            var token = tokens[tokenIndex];
            if (token == StarToken)
            {
                return MatchStar(text, tokenIndex, position, memo);
            }

            if (position >= text.Length)
            {
                return -1;
            }

            var length = RuneLength(text, position);
            if (token == AnyToken ? text[position] == '\n' : CodePointAt(text, position) != token)
            {
                return -1;
            }

            position += length;
        }

        return position;
    }

    private int MatchStar(string text, int tokenIndex, int position, FailureMemo memo)
    {
        // A failed (star, position) state fails whatever led to it, which keeps the search polynomial.
        if (memo.HasFailed(tokenIndex, position))
        {
            return -1;
        }

        var newline = text.IndexOf('\n', position);
        var limit = newline < 0 ? text.Length : newline;
        if (greedy)
        {
            for (var end = limit; end >= position; end = PreviousBoundary(text, end, position))
            {
                var result = MatchFrom(text, tokenIndex + 1, end, memo);
                if (result >= 0)
                {
                    return result;
                }
            }
        }
        else
        {
            for (var end = position; end <= limit; end += end < limit ? RuneLength(text, end) : 1)
            {
                var result = MatchFrom(text, tokenIndex + 1, end, memo);
                if (result >= 0)
                {
                    return result;
                }
            }
        }

        memo.MarkFailed(tokenIndex, position);
        return -1;
    }

    private static int PreviousBoundary(string text, int index, int floor)
    {
        if (index <= floor)
        {
            return floor - 1;
        }

        index--;
        if (index > floor && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]))
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

    /// <summary>Remembers (star, position) states known to fail, as a bit set.</summary>
    private sealed class FailureMemo(int tokenCount, int textLength)
    {
        private readonly int stride = textLength + 1;
        private System.Collections.BitArray? failed;

        public bool HasFailed(int tokenIndex, int position) => failed?[(tokenIndex * stride) + position] == true;

        public void MarkFailed(int tokenIndex, int position) =>
            (failed ??= new System.Collections.BitArray((tokenCount + 1) * stride))[(tokenIndex * stride) + position] = true;
    }
}
