using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// One pass of <see cref="ShellLexer"/> over one word. It follows BuildKit's recursive descent: the top level, the
/// word after a <c>${v:-</c> style modifier and the parts of <c>${v/p/r}</c> are all read by
/// <see cref="ProcessUntil"/>, which stops at a given character. Results are appended to a caller's
/// <see cref="StringBuilder"/>; a modifier's word is written in place and kept or cut off once the variable is known,
/// so the common forms allocate nothing beyond the output.
/// A lexer, kept in one file on purpose: its states call each other and share one position.
/// </summary>
internal ref struct ShellWordScanner
{
    private const int EndOfInput = -1;

    private readonly ShellLexer _lexer;
    private readonly string _source;
    private readonly IVariableSource _variables;
    private readonly bool _captureNames;
    private int _position;
    private bool _rawEscapes;

    public ShellWordScanner(ShellLexer lexer, string source, IVariableSource variables, bool captureNames)
    {
        _lexer = lexer;
        _source = source;
        _variables = variables;
        _captureNames = captureNames;
        _rawEscapes = lexer.RawEscapes;
        // Go's text/scanner, which BuildKit reads words with, skips a byte order mark at the start of its input.
        _position = source.StartsWith('\uFEFF') ? 1 : 0;
    }

    /// <summary>The names looked up and found, or <c>null</c> when there were none.</summary>
    public HashSet<string>? Matched { get; private set; }

    /// <summary>The names looked up and not found, or <c>null</c> when there were none.</summary>
    public HashSet<string>? Unmatched { get; private set; }

    private readonly bool AtEnd => _position >= _source.Length;

    /// <summary>
    /// Reads the whole word. Without <paramref name="words"/> the value goes to <paramref name="output"/>; with it,
    /// <paramref name="output"/> is scratch space and the value goes, split, to <paramref name="words"/>.
    /// </summary>
    public void ProcessToEnd(StringBuilder output, WordSplitter? words) =>
        ProcessUntil(EndOfInput, _lexer.RawEscapes, output, words);

    private void ProcessUntil(int stopCharacter, bool rawEscapesHere, StringBuilder output, WordSplitter? words)
    {
        var outerRawEscapes = _rawEscapes;
        _rawEscapes = rawEscapesHere;
        var specials = _lexer.SpecialCharacters(stopCharacter);
        var escapeToken = _lexer.EscapeToken;
        while (_position < _source.Length)
        {
            var ch = _source[_position];
            if (ch == stopCharacter)
            {
                _position++;
                _rawEscapes = outerRawEscapes;
                return;
            }

            if (ch == '$')
            {
                var start = output.Length;
                ExpandDollar(output);
                TakeSegment(output, start, words, split: true);
            }
            else if (ch is '\'' or '"' && !_lexer.SkipQuoteProcessing)
            {
                var start = output.Length;
                if (ch == '\'')
                {
                    ReadSingleQuoted(output);
                }
                else
                {
                    ReadDoubleQuoted(output);
                }

                TakeSegment(output, start, words, split: false);
            }
            else if (ch == escapeToken)
            {
                _position++;
                if (_rawEscapes)
                {
                    Append(output, words, ch);
                }

                if (AtEnd)
                {
                    // An escape token at the very end escapes nothing and disappears.
                    break;
                }

                Append(output, words, _source[_position++]);
            }
            else
            {
                // A run of ordinary characters (or a quote character when quotes are not processed).
                var run = _source.AsSpan(_position + 1).IndexOfAny(specials);
                var length = run < 0 ? _source.Length - _position : run + 1;
                if (words is null)
                {
                    output.Append(_source, _position, length);
                }
                else
                {
                    words.AddSplitting(_source.AsSpan(_position, length));
                }

                _position += length;
            }
        }

        _rawEscapes = outerRawEscapes;
        if (stopCharacter != EndOfInput)
        {
            throw Fail(DiagnosticCodes.BadSubstitution, stopCharacter == '/' ? Strings.ExpansionMissingSlash : Strings.ExpansionMissingBrace);
        }
    }

    /// <summary>Moves the text appended since <paramref name="start"/> into the word list, when there is one.</summary>
    private static void TakeSegment(StringBuilder output, int start, WordSplitter? words, bool split)
    {
        if (words is null)
        {
            return;
        }

        var length = output.Length - start;
        Span<char> buffer = length <= 256 ? stackalloc char[length] : new char[length];
        output.CopyTo(start, buffer, length);
        output.Length = start;
        if (split)
        {
            words.AddSplitting(buffer);
        }
        else
        {
            words.AddWhole(buffer);
        }
    }

    private static void Append(StringBuilder output, WordSplitter? words, char ch)
    {
        if (words is null)
        {
            output.Append(ch);
        }
        else
        {
            words.AddWhole(ch);
        }
    }

    private void ReadSingleQuoted(StringBuilder output)
    {
        // Everything up to the next single quote is literal; nothing, not even the escape token, is special.
        _position++;
        var close = _source.IndexOf('\'', _position);
        if (close < 0)
        {
            _position = _source.Length;
            throw Fail(DiagnosticCodes.UnterminatedQuote, Strings.ExpansionUnterminatedSingleQuote);
        }

        if (_lexer.RawQuotes)
        {
            output.Append(_source, _position - 1, close - _position + 2);
        }
        else
        {
            output.Append(_source, _position, close - _position);
        }

        _position = close + 1;
    }

    private void ReadDoubleQuoted(StringBuilder output)
    {
        // Literal except for $ and the escape token, which escapes only ", $ and itself (sh keeps \ before others).
        if (_lexer.RawQuotes)
        {
            output.Append('"');
        }

        _position++;
        var escapeToken = _lexer.EscapeToken;
        while (true)
        {
            if (AtEnd)
            {
                throw Fail(DiagnosticCodes.UnterminatedQuote, Strings.ExpansionUnterminatedDoubleQuote);
            }

            var ch = _source[_position];
            if (ch == '"')
            {
                _position++;
                if (_lexer.RawQuotes)
                {
                    output.Append('"');
                }

                return;
            }

            if (ch == '$')
            {
                ExpandDollar(output);
            }
            else if (ch == escapeToken)
            {
                _position++;
                if (_rawEscapes)
                {
                    output.Append(ch);
                }

                if (AtEnd)
                {
                    continue;
                }

                var next = _source[_position];
                if (next == '"' || next == '$' || next == escapeToken)
                {
                    _position++;
                    output.Append(next);
                }
                else
                {
                    // BuildKit writes the escape token here even when it already kept it as raw.
                    output.Append(ch);
                }
            }
            else
            {
                var run = _source.AsSpan(_position + 1).IndexOfAny(_lexer.DoubleQuotedSpecialCharacters);
                var length = run < 0 ? _source.Length - _position : run + 1;
                output.Append(_source, _position, length);
                _position += length;
            }
        }
    }

    private void ExpandDollar(StringBuilder output)
    {
        _position++;
        if (AtEnd || _source[_position] != '{')
        {
            var bareName = ReadName();
            if (bareName.Length == 0)
            {
                output.Append('$');
            }
            else if (Lookup(bareName, out var bareValue))
            {
                output.Append(bareValue);
            }
            else if (_lexer.SkipUnsetVariables)
            {
                output.Append('$').Append(bareName);
            }

            return;
        }

        _position++;
        if (AtEnd)
        {
            throw Fail(DiagnosticCodes.BadSubstitution, Strings.ExpansionMissingBrace);
        }

        if (_source[_position] is '{' or '}' or ':')
        {
            throw Fail(DiagnosticCodes.BadSubstitution, Strings.ExpansionBadSubstitution);
        }

        var name = ReadName();
        var modifierStart = _position;
        var modifier = ReadCharacter();
        switch (modifier)
        {
            case '}':
                if (Lookup(name, out var value))
                {
                    output.Append(value);
                }
                else if (_lexer.SkipUnsetVariables)
                {
                    output.Append("${").Append(name).Append('}');
                }

                return;
            case ':' or '+' or '-' or '?' or '#' or '%':
                ExpandWithModifier(output, name, modifierStart, modifier);
                return;
            case '/':
                ExpandReplacement(output, name);
                return;
            case EndOfInput:
                // BuildKit reports "unsupported modifier" with a replacement character here; the missing brace is clearer.
                throw Fail(DiagnosticCodes.BadSubstitution, Strings.ExpansionMissingBrace);
            default:
                throw UnsupportedModifier(_source[modifierStart.._position]);
        }
    }

    private void ExpandWithModifier(StringBuilder output, string name, int modifierStart, int modifier)
    {
        var nullIsUnset = modifier == ':';
        if (nullIsUnset)
        {
            modifier = ReadCharacter();
        }

        var modifierText = _source[modifierStart.._position];
        var isPattern = modifier is '#' or '%';
        if (nullIsUnset && isPattern)
        {
            throw UnsupportedModifier(modifierText);
        }

        var wordStart = output.Length;
        ReadOperand('}', isPattern, output);
        var found = Lookup(name, out var value);
        if (!found && _lexer.SkipUnsetVariables)
        {
            var operand = Cut(output, wordStart);
            output.Append("${").Append(name).Append(modifierText).Append(operand).Append('}');
            return;
        }

        var isNull = !found || (nullIsUnset && value!.Length == 0);
        value ??= "";
        switch (modifier)
        {
            case '-':
                if (!isNull)
                {
                    output.Length = wordStart;
                    output.Append(value);
                }

                return;
            case '+':
                if (isNull)
                {
                    output.Length = wordStart;
                }

                return;
            case '?':
                if (isNull)
                {
                    var message = Cut(output, wordStart);
                    var reason = message.Length != 0
                        ? string.Format(CultureInfo.InvariantCulture, Strings.ExpansionVariableMessage, name, message)
                        : string.Format(CultureInfo.InvariantCulture, found ? Strings.ExpansionVariableEmpty : Strings.ExpansionVariableUnset, name);
                    throw Fail(DiagnosticCodes.RequiredVariableMissing, reason);
                }

                output.Length = wordStart;
                output.Append(value);
                return;
            case '#' or '%':
                var pattern = Cut(output, wordStart);
                // A doubled operator (## or %%) asks for the longest match.
                var greedy = pattern.Length != 0 && pattern[0] == modifier;
                if (greedy)
                {
                    pattern = pattern[1..];
                }

                output.Append(modifier == '%'
                    ? ShellPattern.TrimSuffix(pattern, value, greedy, _source)
                    : ShellPattern.TrimPrefix(pattern, value, greedy, _source));
                return;
            default:
                throw UnsupportedModifier(modifierText);
        }
    }

    private void ExpandReplacement(StringBuilder output, string name)
    {
        var all = !AtEnd && _source[_position] == '/';
        if (all)
        {
            _position++;
        }

        var start = output.Length;
        ReadOperand('/', rawEscapesHere: true, output);
        var pattern = Cut(output, start);
        ReadOperand('}', rawEscapesHere: true, output);
        var replacement = Cut(output, start);
        if (!Lookup(name, out var value))
        {
            if (_lexer.SkipUnsetVariables)
            {
                // As BuildKit writes it back: one slash, even for //.
                output.Append("${").Append(name).Append('/').Append(pattern).Append('/').Append(replacement).Append('}');
                return;
            }

            value = "";
        }

        output.Append(ShellPattern.Replace(value, pattern, replacement, all, _source));
    }

    /// <summary>Reads the word after a modifier up to <paramref name="stopCharacter"/>, appending it to <paramref name="output"/>.</summary>
    private void ReadOperand(int stopCharacter, bool rawEscapesHere, StringBuilder output)
    {
        try
        {
            ProcessUntil(stopCharacter, rawEscapesHere, output, words: null);
        }
        catch (ShellExpansionException) when (AtEnd)
        {
            // BuildKit reports any failure that ran into the end of the input as the missing closing character.
            throw Fail(DiagnosticCodes.BadSubstitution, stopCharacter == '/' ? Strings.ExpansionMissingSlash : Strings.ExpansionMissingBrace);
        }
    }

    /// <summary>
    /// Reads a name: a run of digits (a positional parameter), one special parameter character
    /// (<c>@ * # ? - $ ! 0</c>), or letters, digits and underscores. Letters and digits are Unicode ones, as in Go.
    /// </summary>
    private string ReadName()
    {
        var start = _position;
        if (AtEnd)
        {
            return "";
        }

        var first = RuneAt(_position, out var length);
        if (Rune.IsDigit(first))
        {
            do
            {
                _position += length;
            }
            while (!AtEnd && Rune.IsDigit(RuneAt(_position, out length)));

            return _source[start.._position];
        }

        if (_source[_position] is '@' or '*' or '#' or '?' or '-' or '$' or '!')
        {
            _position++;
            return _source.Substring(start, 1);
        }

        while (!AtEnd)
        {
            var rune = RuneAt(_position, out length);
            if (!Rune.IsLetter(rune) && !Rune.IsDigit(rune) && rune.Value != '_')
            {
                break;
            }

            _position += length;
        }

        return _position == start ? "" : _source[start.._position];
    }

    /// <summary>Reads one character (a whole surrogate pair counts as one), or returns <see cref="EndOfInput"/>.</summary>
    private int ReadCharacter()
    {
        if (AtEnd)
        {
            return EndOfInput;
        }

        var ch = _source[_position++];
        if (char.IsHighSurrogate(ch) && !AtEnd && char.IsLowSurrogate(_source[_position]))
        {
            _position++;
        }

        return ch;
    }

    private readonly Rune RuneAt(int index, out int length)
    {
        Rune.DecodeFromUtf16(_source.AsSpan(index), out var rune, out length);
        return rune;
    }

    private bool Lookup(string name, [NotNullWhen(true)] out string? value)
    {
        if (_variables.TryGetValue(name, out value))
        {
            if (_captureNames)
            {
                (Matched ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
            }

            return true;
        }

        if (_captureNames)
        {
            (Unmatched ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);
        }

        value = null;
        return false;
    }

    private static string Cut(StringBuilder output, int start)
    {
        var text = output.ToString(start, output.Length - start);
        output.Length = start;
        return text;
    }

    private readonly ShellExpansionException UnsupportedModifier(string modifier) =>
        Fail(DiagnosticCodes.BadSubstitution, string.Format(CultureInfo.InvariantCulture, Strings.ExpansionUnsupportedModifier, modifier));

    private readonly ShellExpansionException Fail(DiagnosticCode code, string reason) => new(code, _source, reason);
}
