using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// Expands Dockerfile words the way BuildKit's shell lexer does: <c>$VAR</c> and <c>${VAR}</c> with the modifiers
/// <c>:-</c> <c>-</c> <c>:+</c> <c>+</c> <c>:?</c> <c>?</c> <c>#</c> <c>##</c> <c>%</c> <c>%%</c> <c>/</c> <c>//</c>,
/// single and double quotes, and the escape token (<c>\</c> by default, or <c>`</c> after an <c>escape</c> directive).
/// Positional and special parameters (<c>$1</c>, <c>$@</c>, <c>$$</c> and so on) are looked up like any other
/// name, so they expand to nothing unless someone sets them. A <c>$</c> that starts no name stays as it is.
/// </summary>
/// <remarks>
/// Instances are immutable and may be shared between threads. A word without any <c>$</c>, quote or escape token is
/// returned as it is, without copying.
/// </remarks>
internal sealed class ShellLexer
{
    private static readonly IReadOnlySet<string> NoNames = FrozenSet<string>.Empty;

    private readonly SearchValues<char> _specialCharacters;
    private readonly SearchValues<char> _specialCharactersBeforeBrace;
    private readonly SearchValues<char> _specialCharactersBeforeSlash;
    private readonly SearchValues<char> _doubleQuotedSpecialCharacters;

    /// <summary>Creates a lexer for the given escape token.</summary>
    /// <param name="escapeToken"><c>\</c>, or <c>`</c> when the Dockerfile says <c># escape=`</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The token is neither <c>\</c> nor <c>`</c>.</exception>
    public ShellLexer(char escapeToken = '\\')
    {
        if (escapeToken is not ('\\' or '`'))
        {
            throw new ArgumentOutOfRangeException(nameof(escapeToken), escapeToken, "the escape token must be \\ or `");
        }

        EscapeToken = escapeToken;
        _specialCharacters = SearchValues.Create(['$', '\'', '"', escapeToken]);
        _specialCharactersBeforeBrace = SearchValues.Create(['$', '\'', '"', escapeToken, '}']);
        _specialCharactersBeforeSlash = SearchValues.Create(['$', '\'', '"', escapeToken, '/']);
        _doubleQuotedSpecialCharacters = SearchValues.Create(['$', '"', escapeToken]);
    }

    /// <summary>The escape token, <c>\</c> or <c>`</c>.</summary>
    public char EscapeToken { get; }

    /// <summary>Keep the quote characters in the result (quoted text is still protected from splitting). Off by default.</summary>
    public bool RawQuotes { get; init; }

    /// <summary>
    /// Keep escape tokens in the result. Off by default. As in BuildKit, inside double quotes an escape token before a
    /// character it cannot escape is then written twice.
    /// </summary>
    public bool RawEscapes { get; init; }

    /// <summary>Leave references to unset variables as they were written (<c>$X</c>, <c>${X}</c>, <c>${X:-w}</c>). Off by default.</summary>
    public bool SkipUnsetVariables { get; init; }

    /// <summary>Treat quote characters as ordinary characters. Off by default.</summary>
    public bool SkipQuoteProcessing { get; init; }

    /// <summary>Expands <paramref name="word"/> as one word: no splitting, quotes and escapes removed.</summary>
    /// <param name="word">The text to expand.</param>
    /// <param name="variables">Where to look names up.</param>
    /// <returns>The value and the names that were looked up, found or not.</returns>
    /// <exception cref="ShellExpansionException">The word is malformed, or a <c>?</c> check failed.</exception>
    public ExpansionResult ProcessWord(string word, IVariableSource variables)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(variables);
        if (IsPlain(word))
        {
            return new ExpansionResult(word, NoNames, NoNames);
        }

        var scanner = new ShellWordScanner(this, word, variables, captureNames: true);
        var output = new StringBuilder(word.Length + 16);
        scanner.ProcessToEnd(output, words: null);
        return new ExpansionResult(output.ToString(), scanner.Matched ?? NoNames, scanner.Unmatched ?? NoNames);
    }

    /// <summary>
    /// Expands <paramref name="word"/> and splits the result into words at white space. Unquoted expansions are split
    /// too; quoted text stays whole; words that end up empty are dropped.
    /// </summary>
    /// <param name="word">The text to expand, for example the arguments of an instruction.</param>
    /// <param name="variables">Where to look names up.</param>
    /// <returns>The words, with quotes and escapes removed.</returns>
    /// <exception cref="ShellExpansionException">The text is malformed, or a <c>?</c> check failed.</exception>
    public IReadOnlyList<string> ProcessWords(string word, IVariableSource variables)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(variables);
        var words = new WordSplitter();
        if (IsPlain(word))
        {
            words.AddSplitting(word);
            return words.Finish();
        }

        var scanner = new ShellWordScanner(this, word, variables, captureNames: false);
        scanner.ProcessToEnd(new StringBuilder(), words);
        return words.Finish();
    }

    /// <summary>
    /// Splits <paramref name="text"/> into words without changing them: nothing is expanded, and quotes and escape
    /// tokens stay where they are. White space separates words unless it is quoted or escaped. Each word is a piece
    /// of the input, so joining the words with single spaces gives back the input with its white space collapsed.
    /// </summary>
    /// <exception cref="ShellExpansionException">A quote is not closed.</exception>
    public IReadOnlyList<string> SplitRawWords(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (char.IsWhiteSpace(ch))
            {
                if (start >= 0)
                {
                    words.Add(text[start..i]);
                    start = -1;
                }

                continue;
            }

            if (start < 0)
            {
                start = i;
            }

            if (ch == EscapeToken)
            {
                i++;
            }
            else if (ch is '\'' or '"' && !SkipQuoteProcessing)
            {
                i = FindClosingQuote(text, i);
            }
        }

        if (start >= 0)
        {
            words.Add(text[start..]);
        }

        return words;
    }

    private int FindClosingQuote(string text, int open)
    {
        var quote = text[open];
        for (var i = open + 1; i < text.Length; i++)
        {
            if (text[i] == quote)
            {
                return i;
            }

            if (quote == '"' && text[i] == EscapeToken)
            {
                i++;
            }
        }

        throw new ShellExpansionException(Diagnostics.DiagnosticCodes.UnterminatedQuote, text,
            quote == '"' ? Strings.ExpansionUnterminatedDoubleQuote : Strings.ExpansionUnterminatedSingleQuote);
    }

    internal SearchValues<char> SpecialCharacters(int stopCharacter) => stopCharacter switch
    {
        '}' => _specialCharactersBeforeBrace,
        '/' => _specialCharactersBeforeSlash,
        _ => _specialCharacters,
    };

    internal SearchValues<char> DoubleQuotedSpecialCharacters => _doubleQuotedSpecialCharacters;

    // Go's text/scanner drops a byte order mark at the start of its input, so such a word is not plain.
    private bool IsPlain(string word) =>
        !word.AsSpan().ContainsAny(_specialCharacters) && !word.StartsWith('\uFEFF');
}
