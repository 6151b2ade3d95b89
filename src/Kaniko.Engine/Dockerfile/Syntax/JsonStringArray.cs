using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>What <see cref="JsonStringArray.Read"/> found.</summary>
internal enum JsonArrayOutcome
{
    /// <summary>Not a valid JSON array: the instruction falls back to its shell or list form.</summary>
    NotJson,

    /// <summary>A valid array of strings: the exec form.</summary>
    Strings,

    /// <summary>A valid array holding something other than a string: a hard error in BuildKit.</summary>
    NonStringElement,
}

/// <summary>
/// Reads the exec form (<c>["a", "b"]</c>) with the rules of Go's <c>encoding/json</c> as BuildKit calls it: strict
/// RFC 8259 syntax, at most 10,000 levels of nesting, numbers that overflow a float64 rejected, invalid UTF-8 and
/// lone surrogate escapes turned into U+FFFD. Validation is iterative, so deep nesting cannot overflow the stack.
/// A parser, kept in one file on purpose: one pass of Go's JSON grammar.
/// </summary>
internal sealed class JsonStringArray
{
    private const int MaxNestingDepth = 10000;

    private readonly string _text;
    private int _pos;
    private bool _numberOverflow;

    private JsonStringArray(string text) => _text = text;

    /// <summary>Reads <paramref name="text"/> (leading whitespace allowed); <paramref name="items"/> is set for <see cref="JsonArrayOutcome.Strings"/>.</summary>
    public static JsonArrayOutcome Read(string text, out List<string> items)
    {
        var reader = new JsonStringArray(text.TrimStart());
        var outcome = reader.ReadArray(out items);
        return reader._numberOverflow && outcome != JsonArrayOutcome.NotJson ? JsonArrayOutcome.NotJson : outcome;
    }

    private JsonArrayOutcome ReadArray(out List<string> items)
    {
        items = [];
        var nonString = false;
        if (!Accept('['))
        {
            return JsonArrayOutcome.NotJson;
        }

        SkipWhitespace();
        if (!Accept(']'))
        {
            while (true)
            {
                SkipWhitespace();
                if (Peek() == '"')
                {
                    if (ReadString() is not { } item)
                    {
                        return JsonArrayOutcome.NotJson;
                    }

                    items.Add(item);
                }
                else
                {
                    if (!SkipNestedValue())
                    {
                        return JsonArrayOutcome.NotJson;
                    }

                    nonString = true;
                }

                SkipWhitespace();
                if (Accept(','))
                {
                    continue;
                }

                if (Accept(']'))
                {
                    break;
                }

                return JsonArrayOutcome.NotJson;
            }
        }

        SkipWhitespace();
        if (_pos != _text.Length)
        {
            return JsonArrayOutcome.NotJson;
        }

        return nonString ? JsonArrayOutcome.NonStringElement : JsonArrayOutcome.Strings;
    }

    // Skips one value inside the top-level array; containers are tracked on an explicit stack.
    private bool SkipNestedValue()
    {
        var containers = new Stack<bool>(); // true for an object
        while (true)
        {
            // Expecting a value here.
            SkipWhitespace();
            var c = Peek();
            var finishedValue = true;
            if (c is '[' or '{')
            {
                _pos++;
                var isObject = c == '{';
                if (containers.Count + 2 > MaxNestingDepth)
                {
                    return false;
                }

                containers.Push(isObject);
                SkipWhitespace();
                if (Accept(isObject ? '}' : ']'))
                {
                    containers.Pop();
                }
                else if (isObject)
                {
                    if (!ReadObjectKey())
                    {
                        return false;
                    }

                    finishedValue = false;
                }
                else
                {
                    finishedValue = false;
                }
            }
            else if (c == '"')
            {
                if (ReadString() is null)
                {
                    return false;
                }
            }
            else if (!SkipLiteral() && !SkipNumber())
            {
                return false;
            }

            if (!finishedValue)
            {
                continue;
            }

            // After a value: close containers or move to the next element.
            while (true)
            {
                if (containers.Count == 0)
                {
                    return true;
                }

                SkipWhitespace();
                var isObject = containers.Peek();
                if (Accept(','))
                {
                    SkipWhitespace();
                    if (isObject && !ReadObjectKey())
                    {
                        return false;
                    }

                    break;
                }

                if (Accept(isObject ? '}' : ']'))
                {
                    containers.Pop();
                    continue;
                }

                return false;
            }
        }
    }

    private bool ReadObjectKey()
    {
        if (Peek() != '"' || ReadString() is null)
        {
            return false;
        }

        SkipWhitespace();
        return Accept(':');
    }

    private bool SkipLiteral()
    {
        foreach (var literal in (ReadOnlySpan<string>)["true", "false", "null"])
        {
            if (string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) == 0)
            {
                _pos += literal.Length;
                return true;
            }
        }

        return false;
    }

    private bool SkipNumber()
    {
        var start = _pos;
        Accept('-');
        if (Accept('0'))
        {
            // A leading zero stands alone.
        }
        else if (IsDigit(Peek()))
        {
            while (IsDigit(Peek()))
            {
                _pos++;
            }
        }
        else
        {
            return false;
        }

        if (Accept('.'))
        {
            if (!SkipDigits())
            {
                return false;
            }
        }

        if (Peek() is 'e' or 'E')
        {
            _pos++;
            if (Peek() is '+' or '-')
            {
                _pos++;
            }

            if (!SkipDigits())
            {
                return false;
            }
        }

        // Go decodes numbers into float64 and fails on overflow, which makes the whole document "not JSON".
        var value = double.Parse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
        {
            _numberOverflow = true;
        }

        return true;
    }

    private bool SkipDigits()
    {
        if (!IsDigit(Peek()))
        {
            return false;
        }

        while (IsDigit(Peek()))
        {
            _pos++;
        }

        return true;
    }

    private string? ReadString()
    {
        _pos++; // the opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                return null;
            }

            var c = _text[_pos++];
            switch (c)
            {
                case '"':
                    return builder.ToString();
                case '\\':
                    if (_pos >= _text.Length)
                    {
                        return null;
                    }

                    var e = _text[_pos++];
                    switch (e)
                    {
                        case '"': builder.Append('"'); break;
                        case '\\': builder.Append('\\'); break;
                        case '/': builder.Append('/'); break;
                        case 'b': builder.Append('\b'); break;
                        case 'f': builder.Append('\f'); break;
                        case 'n': builder.Append('\n'); break;
                        case 'r': builder.Append('\r'); break;
                        case 't': builder.Append('\t'); break;
                        case 'u':
                            if (!AppendUnicodeEscape(builder))
                            {
                                return null;
                            }

                            break;
                        default:
                            return null;
                    }

                    break;
                default:
                    if (c < 0x20)
                    {
                        return null;
                    }

                    if (char.IsHighSurrogate(c) && _pos < _text.Length && char.IsLowSurrogate(_text[_pos]))
                    {
                        builder.Append(c).Append(_text[_pos++]);
                    }
                    else
                    {
                        // An invalid input byte (or any lone surrogate) decodes to U+FFFD, as in Go.
                        builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }

                    break;
            }
        }
    }

    // After "\u": four hex digits, and Go's pairing of surrogates (an unpaired one becomes U+FFFD).
    private bool AppendUnicodeEscape(StringBuilder builder)
    {
        var first = ReadHex4(_pos);
        if (first < 0)
        {
            return false;
        }

        _pos += 4;
        if (first is >= 0xD800 and <= 0xDFFF)
        {
            if (first <= 0xDBFF && _pos + 1 < _text.Length && _text[_pos] == '\\' && _text[_pos + 1] == 'u')
            {
                var second = ReadHex4(_pos + 2);
                if (second is >= 0xDC00 and <= 0xDFFF)
                {
                    builder.Append((char)first).Append((char)second);
                    _pos += 6;
                    return true;
                }
            }

            builder.Append('\uFFFD');
            return true;
        }

        builder.Append((char)first);
        return true;
    }

    private int ReadHex4(int at)
    {
        if (at + 4 > _text.Length)
        {
            return -1;
        }

        var value = 0;
        for (var i = at; i < at + 4; i++)
        {
            var digit = HexValue(_text[i]);
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private int Peek() => _pos < _text.Length ? _text[_pos] : -1;

    private bool Accept(char c)
    {
        if (Peek() != c)
        {
            return false;
        }

        _pos++;
        return true;
    }

    private void SkipWhitespace()
    {
        while (Peek() is ' ' or '\t' or '\n' or '\r')
        {
            _pos++;
        }
    }
}
