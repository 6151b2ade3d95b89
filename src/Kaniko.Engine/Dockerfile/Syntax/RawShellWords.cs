using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>The shell word reader failed (an unbalanced quote, a bad <c>${...}</c>).</summary>
internal sealed class ShellWordException(string message) : Exception(message);

/// <summary>
/// Splits a line into shell words the way BuildKit's shell lexer does when the parser looks for heredoc markers:
/// escape character <c>\</c> whatever the Dockerfile's escape directive, no variable set (and unset ones kept as
/// written), quotes and escapes optionally kept raw, and <c>&lt;&lt;</c> plus the blanks after it glued to the next
/// word. The Syntax layer must not depend on Expansion, so this is a small reader of its own; it also reproduces
/// the lexer's quirks that decide which words come out (a <c>${v:-w}</c> drops the text before it in the same word).
/// A lexer, kept in one file on purpose: its states call each other and share one position.
/// </summary>
internal sealed class RawShellWords
{
    private const int Eof = -1;
    private const char EscapeToken = '\\';

    private readonly bool _rawQuotes;
    private readonly StringBuilder _wordsBuffer = new(); // shared by nested reads, as in BuildKit
    private bool _rawEscapes;
    private string _source = "";
    private int _pos;

    private RawShellWords(bool rawQuotes, bool rawEscapes)
    {
        _rawQuotes = rawQuotes;
        _rawEscapes = rawEscapes;
    }

    /// <summary>Splits <paramref name="text"/> into words; throws <see cref="ShellWordException"/> on a lexing error.</summary>
    public static List<string> Split(string text, bool rawQuotes, bool rawEscapes)
    {
        var reader = new RawShellWords(rawQuotes, rawEscapes) { _source = text };
        if (reader.Peek() == 0xFEFF)
        {
            reader.Next(); // Go's text/scanner skips a leading byte-order mark
        }

        return reader.ProcessStopOn(Eof, rawEscapes).Words;
    }

    private (string Result, List<string> Words) ProcessStopOn(int stopChar, bool rawEscapes)
    {
        var result = new StringBuilder();
        _wordsBuffer.Clear();
        var words = new WordCollector(_wordsBuffer);
        var saved = _rawEscapes;
        _rawEscapes = rawEscapes;
        try
        {
            while (Peek() != Eof)
            {
                var ch = Peek();
                if (stopChar != Eof && ch == stopChar)
                {
                    Next();
                    return (result.ToString(), words.GetWords());
                }

                if (ch is '$' or '<' or '\'' or '"')
                {
                    var text = ch switch
                    {
                        '$' => ProcessDollar(),
                        '<' => ProcessPossibleHeredoc(),
                        '\'' => ProcessSingleQuote(),
                        _ => ProcessDoubleQuote(),
                    };
                    result.Append(text);
                    if (ch == '$')
                    {
                        words.AddString(text);
                    }
                    else
                    {
                        words.AddRawString(text);
                    }

                    continue;
                }

                ch = Next();
                if (ch == EscapeToken)
                {
                    if (_rawEscapes)
                    {
                        words.AddRawChar(ch);
                        AppendRune(result, ch);
                    }

                    ch = Next();
                    if (ch == Eof)
                    {
                        break;
                    }

                    words.AddRawChar(ch);
                }
                else
                {
                    words.AddChar(ch);
                }

                AppendRune(result, ch);
            }

            if (stopChar != Eof)
            {
                throw new ShellWordException("unexpected end of statement while looking for matching " + RuneText(stopChar));
            }

            return (result.ToString(), words.GetWords());
        }
        finally
        {
            _rawEscapes = saved;
        }
    }

    private string ProcessSingleQuote()
    {
        var result = new StringBuilder();
        var ch = Next();
        if (_rawQuotes)
        {
            AppendRune(result, ch);
        }

        while (true)
        {
            ch = Next();
            if (ch == Eof)
            {
                throw new ShellWordException("unexpected end of statement while looking for matching single-quote");
            }

            if (ch == '\'')
            {
                if (_rawQuotes)
                {
                    AppendRune(result, ch);
                }

                return result.ToString();
            }

            AppendRune(result, ch);
        }
    }

    private string ProcessDoubleQuote()
    {
        var result = new StringBuilder();
        var ch = Next();
        if (_rawQuotes)
        {
            AppendRune(result, ch);
        }

        while (true)
        {
            switch (Peek())
            {
                case Eof:
                    throw new ShellWordException("unexpected end of statement while looking for matching double-quote");
                case '"':
                    ch = Next();
                    if (_rawQuotes)
                    {
                        AppendRune(result, ch);
                    }

                    return result.ToString();
                case '$':
                    result.Append(ProcessDollar());
                    break;
                default:
                    ch = Next();
                    if (ch == EscapeToken)
                    {
                        if (_rawEscapes)
                        {
                            AppendRune(result, ch);
                        }

                        var next = Peek();
                        if (next == Eof)
                        {
                            continue;
                        }

                        if (next is '"' or '$' or EscapeToken)
                        {
                            ch = Next();
                        }
                    }

                    AppendRune(result, ch);
                    break;
            }
        }
    }

    // No variable is ever set here, so every reference comes back as written (BuildKit's SkipUnsetEnv).
    private string ProcessDollar()
    {
        Next();
        if (Peek() != '{')
        {
            var plainName = ProcessName();
            return plainName.Length == 0 ? "$" : "$" + plainName;
        }

        Next();
        switch (Peek())
        {
            case Eof:
                throw new ShellWordException("syntax error: missing '}'");
            case '{' or '}' or ':':
                throw new ShellWordException("syntax error: bad substitution");
        }

        var name = ProcessName();
        var ch = Next();
        var modifier = RuneText(ch);
        switch (ch)
        {
            case '}':
                return "${" + name + "}";
            case ':' or '+' or '-' or '?' or '#' or '%':
                var nullIsUnset = false;
                if (ch == ':')
                {
                    nullIsUnset = true;
                    ch = Next();
                    modifier += RuneText(ch);
                }

                var rawEscapes = ch is '#' or '%';
                if (nullIsUnset && rawEscapes)
                {
                    throw new ShellWordException($"unsupported modifier ({modifier}) in substitution");
                }

                var word = ReadUntil('}', rawEscapes, "syntax error: missing '}'");
                return "${" + name + modifier + word + "}";
            case '/':
                if (Peek() == '/')
                {
                    Next();
                }

                var pattern = ReadUntil('/', true, "syntax error: missing '/' in ${}");
                var replacement = ReadUntil('}', true, "syntax error: missing '}'");
                return "${" + name + "/" + pattern + "/" + replacement + "}";
            default:
                throw new ShellWordException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string ReadUntil(char stopChar, bool rawEscapes, string messageAtEnd)
    {
        try
        {
            return ProcessStopOn(stopChar, rawEscapes).Result;
        }
        catch (ShellWordException) when (Peek() == Eof)
        {
            throw new ShellWordException(messageAtEnd);
        }
    }

    private string ProcessName()
    {
        var name = new StringBuilder();
        while (Peek() != Eof)
        {
            var ch = Peek();
            if (name.Length == 0 && IsDigit(ch))
            {
                while (Peek() != Eof && IsDigit(Peek()))
                {
                    AppendRune(name, Next());
                }

                return name.ToString();
            }

            if (name.Length == 0 && ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0')
            {
                Next();
                return RuneText(ch);
            }

            if (!IsLetter(ch) && !IsDigit(ch) && ch != '_')
            {
                break;
            }

            AppendRune(name, Next());
        }

        return name.ToString();
    }

    private string ProcessPossibleHeredoc()
    {
        Next();
        if (Peek() != '<')
        {
            return "<";
        }

        Next();
        var result = new StringBuilder("<<");
        while (Peek() is '\t' or '\r' or ' ')
        {
            AppendRune(result, Next());
        }

        return result.ToString();
    }

    // Runes as Go's text/scanner reads them: an invalid byte (a lone surrogate here) reads as U+FFFD.
    private int Peek() => _pos < _source.Length ? Decode(out _) : Eof;

    private int Next()
    {
        if (_pos >= _source.Length)
        {
            return Eof;
        }

        var value = Decode(out var length);
        _pos += length;
        return value;
    }

    private int Decode(out int length)
    {
        var c = _source[_pos];
        if (char.IsHighSurrogate(c) && _pos + 1 < _source.Length && char.IsLowSurrogate(_source[_pos + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, _source[_pos + 1]);
        }

        length = 1;
        return char.IsSurrogate(c) ? 0xFFFD : c;
    }

    private static bool IsDigit(int ch) => ch >= 0 && Rune.GetUnicodeCategory(new Rune(ch)) == UnicodeCategory.DecimalDigitNumber;

    private static bool IsLetter(int ch) => ch >= 0 && Rune.IsLetter(new Rune(ch));

    private static bool IsSpace(int ch) => ch >= 0 && Rune.IsWhiteSpace(new Rune(ch));

    private static string RuneText(int ch) => ch < 0 ? "\uFFFD" : char.ConvertFromUtf32(ch);

    private static void AppendRune(StringBuilder builder, int ch)
    {
        if (ch is >= 0 and < 0x10000)
        {
            builder.Append((char)ch);
        }
        else if (ch >= 0x10000)
        {
            builder.Append(char.ConvertFromUtf32(ch));
        }
    }

    private sealed class WordCollector(StringBuilder buffer)
    {
        private readonly List<string> _words = [];
        private bool _inWord;

        public void AddChar(int ch)
        {
            if (IsSpace(ch) && _inWord)
            {
                if (buffer.Length != 0)
                {
                    _words.Add(buffer.ToString());
                    buffer.Clear();
                    _inWord = false;
                }
            }
            else if (!IsSpace(ch))
            {
                AddRawChar(ch);
            }
        }

        public void AddRawChar(int ch)
        {
            AppendRune(buffer, ch);
            _inWord = true;
        }

        public void AddString(string text)
        {
            for (var i = 0; i < text.Length; i++)
            {
                int ch = text[i];
                if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    ch = char.ConvertToUtf32(text[i], text[i + 1]);
                    i++;
                }

                AddChar(ch);
            }
        }

        public void AddRawString(string text)
        {
            buffer.Append(text);
            _inWord = true;
        }

        public List<string> GetWords()
        {
            if (buffer.Length > 0)
            {
                _words.Add(buffer.ToString());
                buffer.Clear();
                _inWord = false;
            }

            return _words;
        }
    }
}
