using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Compat;

/// <summary>
/// Rewrites the regular expressions Docker's pattern matcher builds (Go RE2 syntax) as equivalent .NET expressions.
/// Only what that translation can produce is handled: literals, <c>^</c>, <c>.</c>, groups and quantifiers it emits
/// itself, backslash escapes and bracket classes (ranges, negation, POSIX <c>[:name:]</c> classes, Perl classes).
/// RE2 works on code points: negated classes here also match a whole surrogate pair. Anything RE2 rejects, or that
/// has no faithful .NET form (Unicode property escapes), raises a <see cref="FormatException"/> with the reason.
/// A translator (a parser of RE2 syntax), kept in one file on purpose: one recursive pass over the pattern.
/// </summary>
internal static class Re2Translator
{
    private const int MaxRune = 0x10FFFF;

    private static readonly Dictionary<string, (int Lo, int Hi)[]> PosixClasses = new(StringComparer.Ordinal)
    {
        ["alnum"] = [('0', '9'), ('A', 'Z'), ('a', 'z')],
        ["alpha"] = [('A', 'Z'), ('a', 'z')],
        ["ascii"] = [(0, 0x7F)],
        ["blank"] = [('\t', '\t'), (' ', ' ')],
        ["cntrl"] = [(0, 0x1F), (0x7F, 0x7F)],
        ["digit"] = [('0', '9')],
        ["graph"] = [('!', '~')],
        ["lower"] = [('a', 'z')],
        ["print"] = [(' ', '~')],
        ["punct"] = [('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        ["space"] = [('\t', '\r'), (' ', ' ')],
        ["upper"] = [('A', 'Z')],
        ["word"] = [('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
        ["xdigit"] = [('0', '9'), ('A', 'F'), ('a', 'f')],
    };

    private static readonly Dictionary<char, (int Lo, int Hi)[]> PerlClasses = new()
    {
        ['d'] = [('0', '9')],
        ['s'] = [('\t', '\n'), ('\f', '\r'), (' ', ' ')],
        ['w'] = [('0', '9'), ('A', 'Z'), ('a', 'z'), ('_', '_')],
    };

    public static string ToDotNet(string re2)
    {
        var output = new StringBuilder();
        var runes = re2.EnumerateRunes().Select(r => r.Value).ToArray();
        var i = 0;
        while (i < runes.Length)
        {
            var c = runes[i];
            switch (c)
            {
                case '^':
                    output.Append(@"\A");
                    i++;
                    break;
                case '$':
                    output.Append(@"\z");
                    i++;
                    break;
                case '.':
                    output.Append(@"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\n])");
                    i++;
                    break;
                case '(':
                    output.Append("(?:");
                    i++;
                    break;
                case ')' or '*' or '?':
                    output.Append((char)c);
                    i++;
                    break;
                case '[':
                    i++;
                    output.Append(EmitClass(ParseClass(runes, ref i)));
                    break;
                case '\\':
                    i++;
                    output.Append(TranslateEscape(runes, ref i));
                    break;
                default:
                    output.Append(Literal(c));
                    i++;
                    break;
            }
        }

        return output.ToString();
    }

    private static string TranslateEscape(int[] runes, ref int i)
    {
        if (i >= runes.Length)
        {
            throw new FormatException("trailing backslash at end of expression");
        }

        var c = runes[i];
        switch (c)
        {
            case 'A':
                i++;
                return @"\A";
            case 'z':
                i++;
                return @"\z";
            case 'b':
                i++;
                return @"\b";
            case 'B':
                i++;
                return @"\B";
            case 'Q':
            {
                i++;
                var text = new StringBuilder();
                while (i < runes.Length && !(runes[i] == '\\' && i + 1 < runes.Length && runes[i + 1] == 'E'))
                {
                    text.Append(Literal(runes[i++]));
                }

                if (i < runes.Length)
                {
                    i += 2;
                }

                return text.ToString();
            }

            case 'p' or 'P':
                throw new FormatException($"the Unicode class escape \\{(char)c} is not supported");
            case 'd' or 's' or 'w':
                i++;
                return EmitClass(PerlClasses[(char)c]);
            case 'D' or 'S' or 'W':
                i++;
                return EmitClass(Complement(PerlClasses[char.ToLowerInvariant((char)c)]));
            default:
                return Literal(ParseEscapedRune(runes, ref i));
        }
    }

    // RE2's parseEscape after the backslash: punctuation, octal, hexadecimal and C escapes.
    private static int ParseEscapedRune(int[] runes, ref int i)
    {
        var c = runes[i++];
        if (c < 0x80 && !char.IsAsciiLetterOrDigit((char)c))
        {
            return c;
        }

        switch (c)
        {
            case >= '1' and <= '7' when i < runes.Length && runes[i] is >= '0' and <= '7':
            case '0':
            {
                var value = c - '0';
                for (var digits = 1; digits < 3 && i < runes.Length && runes[i] is >= '0' and <= '7'; digits++)
                {
                    value = (value * 8) + (runes[i++] - '0');
                }

                return value;
            }

            case 'x':
                return ParseHex(runes, ref i);
            case 'a':
                return 7;
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'v':
                return '\v';
            default:
                throw new FormatException($"invalid escape sequence \\{char.ConvertFromUtf32(c)}");
        }
    }

    private static int ParseHex(int[] runes, ref int i)
    {
        if (i < runes.Length && runes[i] == '{')
        {
            var start = ++i;
            while (i < runes.Length && runes[i] != '}')
            {
                i++;
            }

            var digits = string.Concat(runes[start..Math.Min(i, runes.Length)].Select(char.ConvertFromUtf32));
            if (i >= runes.Length || digits.Length == 0
                || !int.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var braced)
                || braced > MaxRune)
            {
                throw new FormatException("invalid escape sequence \\x{" + digits);
            }

            i++;
            return braced;
        }

        if (i + 1 < runes.Length && IsHex(runes[i]) && IsHex(runes[i + 1]))
        {
            var value = int.Parse(char.ConvertFromUtf32(runes[i]) + char.ConvertFromUtf32(runes[i + 1]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            i += 2;
            return value;
        }

        throw new FormatException("invalid escape sequence \\x");
    }

    private static bool IsHex(int c) => c < 0x80 && char.IsAsciiHexDigit((char)c);

    // RE2's parseClass, after the opening bracket.
    private static List<(int Lo, int Hi)> ParseClass(int[] runes, ref int i)
    {
        var negated = false;
        if (i < runes.Length && runes[i] == '^')
        {
            negated = true;
            i++;
        }

        var ranges = new List<(int Lo, int Hi)>();
        var first = true;
        while (i >= runes.Length || runes[i] != ']' || first)
        {
            first = false;
            if (TryPosixClass(runes, ref i, ranges))
            {
                continue;
            }

            if (i + 1 < runes.Length && runes[i] == '\\' && runes[i + 1] is 'p' or 'P')
            {
                throw new FormatException("the Unicode class escape is not supported");
            }

            if (i + 1 < runes.Length && runes[i] == '\\' && PerlClasses.TryGetValue(char.ToLowerInvariant((char)runes[i + 1]), out var perl) && runes[i + 1] < 0x80)
            {
                ranges.AddRange(char.IsUpper((char)runes[i + 1]) ? Complement(perl) : perl);
                i += 2;
                continue;
            }

            var lo = ClassChar(runes, ref i);
            var hi = lo;
            if (i + 1 < runes.Length && runes[i] == '-' && runes[i + 1] != ']')
            {
                i++;
                hi = ClassChar(runes, ref i);
                if (hi < lo)
                {
                    throw new FormatException($"invalid character class range {char.ConvertFromUtf32(lo)}-{char.ConvertFromUtf32(hi)}");
                }
            }

            ranges.Add((lo, hi));
        }

        i++;
        return negated ? Complement(ranges) : Normalise(ranges);
    }

    private static int ClassChar(int[] runes, ref int i)
    {
        if (i >= runes.Length)
        {
            throw new FormatException("missing closing ]");
        }

        if (runes[i] == '\\')
        {
            i++;
            if (i >= runes.Length)
            {
                throw new FormatException("trailing backslash at end of expression");
            }

            return ParseEscapedRune(runes, ref i);
        }

        return runes[i++];
    }

    private static bool TryPosixClass(int[] runes, ref int i, List<(int Lo, int Hi)> ranges)
    {
        if (i + 2 >= runes.Length || runes[i] != '[' || runes[i + 1] != ':')
        {
            return false;
        }

        var close = -1;
        for (var j = i + 2; j + 1 < runes.Length; j++)
        {
            if (runes[j] == ':' && runes[j + 1] == ']')
            {
                close = j;
                break;
            }
        }

        if (close < 0)
        {
            return false;
        }

        var name = string.Concat(runes[(i + 2)..close].Select(char.ConvertFromUtf32));
        var negated = name.StartsWith('^');
        if (!PosixClasses.TryGetValue(negated ? name[1..] : name, out var members))
        {
            throw new FormatException($"invalid character class range [:{name}:]");
        }

        ranges.AddRange(negated ? Complement(members) : members);
        i = close + 2;
        return true;
    }

    private static List<(int Lo, int Hi)> Normalise(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var merged = new List<(int Lo, int Hi)>();
        foreach (var (lo, hi) in ranges.OrderBy(r => r.Lo))
        {
            if (merged.Count > 0 && lo <= merged[^1].Hi + 1)
            {
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, hi));
            }
            else
            {
                merged.Add((lo, hi));
            }
        }

        return merged;
    }

    private static List<(int Lo, int Hi)> Complement(IEnumerable<(int Lo, int Hi)> ranges)
    {
        var result = new List<(int Lo, int Hi)>();
        var next = 0;
        foreach (var (lo, hi) in Normalise(ranges))
        {
            if (lo > next)
            {
                result.Add((next, lo - 1));
            }

            next = hi + 1;
        }

        if (next <= MaxRune)
        {
            result.Add((next, MaxRune));
        }

        return result;
    }

    // A set of code points as .NET sees text: one bracket class for the BMP, surrogate pairs for the rest.
    private static string EmitClass(IReadOnlyList<(int Lo, int Hi)> ranges)
    {
        var bmp = new StringBuilder();
        var alternatives = new List<string>();
        foreach (var (lo, hi) in Normalise(ranges))
        {
            // Surrogate code units are never characters on their own: they only match as a pair, below.
            foreach (var (bmpLo, bmpHi) in new[] { (lo, Math.Min(hi, 0xD7FF)), (Math.Max(lo, 0xE000), Math.Min(hi, 0xFFFF)) })
            {
                if (bmpLo <= bmpHi)
                {
                    bmp.Append(Escape(bmpLo));
                    if (bmpHi > bmpLo)
                    {
                        bmp.Append('-').Append(Escape(bmpHi));
                    }
                }
            }

            if (hi > 0xFFFF)
            {
                alternatives.AddRange(SurrogateRanges(Math.Max(lo, 0x10000), hi));
            }
        }

        if (bmp.Length > 0)
        {
            alternatives.Add("[" + bmp + "]");
        }

        return alternatives.Count switch
        {
            0 => "[^\\s\\S]",
            1 => alternatives[0],
            _ => "(?:" + string.Join('|', alternatives) + ")",
        };
    }

    private static IEnumerable<string> SurrogateRanges(int lo, int hi)
    {
        var (loHigh, loLow) = Split(lo);
        var (hiHigh, hiLow) = Split(hi);
        if (loHigh == hiHigh)
        {
            yield return $"{Escape(loHigh)}[{Escape(loLow)}-{Escape(hiLow)}]";
            yield break;
        }

        yield return $"{Escape(loHigh)}[{Escape(loLow)}-\\uDFFF]";
        if (hiHigh - loHigh > 1)
        {
            yield return $"[{Escape(loHigh + 1)}-{Escape(hiHigh - 1)}][\\uDC00-\\uDFFF]";
        }

        yield return $"{Escape(hiHigh)}[\\uDC00-{Escape(hiLow)}]";
    }

    private static (int High, int Low) Split(int rune)
    {
        var offset = rune - 0x10000;
        return (0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF));
    }

    private static string Escape(int c) => "\\u" + c.ToString("X4", CultureInfo.InvariantCulture);

    private static string Literal(int rune) =>
        rune <= 0xFFFF ? Escape(rune) : string.Concat(char.ConvertFromUtf32(rune).Select(ch => Escape(ch)));
}
