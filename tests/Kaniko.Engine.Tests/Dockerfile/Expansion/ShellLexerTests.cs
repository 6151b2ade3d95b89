using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Expansion;

namespace Kaniko.Engine.Tests.Dockerfile.Expansion;

/// <summary>Behaviour that a table cannot show: identities, error objects, options, odd characters, speed.</summary>
public sealed class ShellLexerTests
{
    private static readonly VariableMap Environment = new([new("A", "alpha"), new("LINES", "one\ntwo"), new("EMOJI", "😀x😀")]);

    [Fact]
    public void A_word_without_special_characters_comes_back_unchanged_without_a_copy()
    {
        var word = "/usr/local/bin";

        var result = new ShellLexer().ProcessWord(word, Environment);

        Assert.Same(word, result.Value);
        Assert.Empty(result.Matched);
        Assert.Empty(result.Unmatched);
    }

    [Fact]
    public void Errors_carry_a_code_the_word_and_the_reason_without_a_location()
    {
        var error = Assert.Throws<ShellExpansionException>(() => new ShellLexer().ProcessWord("x${NOPE:?}", Environment));

        Assert.Equal(DiagnosticCodes.RequiredVariableMissing, error.Code);
        Assert.Equal("x${NOPE:?}", error.Word);
        Assert.Equal("NOPE: is not allowed to be unset", error.Reason);
        Assert.Equal("failed to process \"x${NOPE:?}\": NOPE: is not allowed to be unset", error.Detail);
        Assert.Null(error.Range);
    }

    [Fact]
    public void Callers_add_the_location_of_the_instruction()
    {
        var error = Assert.Throws<ShellExpansionException>(() => new ShellLexer().ProcessWord("'open", Environment));

        var located = error.WithRangeIfMissing(SourceRange.Line("Dockerfile", 7));

        Assert.Equal(DiagnosticCodes.UnterminatedQuote, located.Code);
        Assert.StartsWith("Dockerfile:7: failed to process \"'open\": unexpected end of statement", located.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_word_in_a_message_is_quoted_as_Go_quotes_it()
    {
        var error = Assert.Throws<ShellExpansionException>(() => new ShellLexer().ProcessWord("tab\there \"${}", Environment));

        Assert.Equal("failed to process \"tab\\there \\\"${}\": syntax error: bad substitution", error.Detail);
    }

    [Theory]
    [InlineData('$')]
    [InlineData('"')]
    [InlineData('a')]
    public void Only_backslash_and_backtick_are_escape_tokens(char token) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShellLexer(token));

    [Fact]
    public void A_byte_order_mark_at_the_start_is_dropped_as_BuildKit_reading_through_Go_scanner_does()
    {
        Assert.Equal("alpha", new ShellLexer().ProcessWord("\uFEFF$A", Environment).Value);
        Assert.Equal("x\uFEFF", new ShellLexer().ProcessWord("x\uFEFF", Environment).Value);
    }

    [Fact]
    public void Wildcards_do_not_match_a_line_feed_as_in_Go_regular_expressions()
    {
        var lexer = new ShellLexer();

        Assert.Equal("ne\ntwo", lexer.ProcessWord("${LINES#*o}", Environment).Value);
        // A shell would remove everything up to the last o; the wildcard stops at the line feed.
        Assert.Equal("ne\ntwo", lexer.ProcessWord("${LINES##*o}", Environment).Value);
        Assert.Equal("one\ntwo", lexer.ProcessWord("${LINES/one?two/X}", Environment).Value);
        Assert.Equal("X\ntwo", lexer.ProcessWord("${LINES/o*/X}", Environment).Value);
        Assert.Equal("X\ntwX", lexer.ProcessWord("${LINES//o*/X}", Environment).Value);
    }

    [Fact]
    public void A_question_mark_matches_one_character_even_outside_the_basic_plane()
    {
        var lexer = new ShellLexer();

        Assert.Equal("x😀", lexer.ProcessWord("${EMOJI#?}", Environment).Value);
        Assert.Equal("😀x", lexer.ProcessWord("${EMOJI%?}", Environment).Value);
        Assert.Equal("-x-", lexer.ProcessWord("${EMOJI//?x?/-x-}", Environment).Value);
    }

    [Fact]
    public void Unicode_letters_make_names()
    {
        var variables = new VariableMap([new("名前", "value")]);

        var result = new ShellLexer().ProcessWord("$名前!", variables);

        Assert.Equal("value!", result.Value);
        Assert.Equal(["名前"], result.Matched);
    }

    [Fact]
    public void Backtracking_patterns_stay_fast()
    {
        var variables = new VariableMap([new("V", new string('a', 5000))]);

        var result = new ShellLexer().ProcessWord("${V#*a*a*a*a*a*a*a*b}${V%%*a*a*a*a*a*a*b}${V//*a*a*a*b/x}", variables);

        Assert.Equal(new string('a', 5000) + new string('a', 5000) + new string('a', 5000), result.Value);
    }

    [Fact]
    public void A_lexer_can_be_shared_between_threads()
    {
        var lexer = new ShellLexer();
        var results = new string[64];

        Parallel.For(0, results.Length, i =>
        {
            var variables = new VariableMap([new("N", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            for (var round = 0; round < 200; round++)
            {
                results[i] = lexer.ProcessWord("n=${N:-none}/\"$N\"", variables).Value;
            }
        });

        Assert.All(results.Select((value, i) => (value, i)), r => Assert.Equal($"n={r.i}/{r.i}", r.value));
    }

    [Fact]
    public void Words_keep_quoted_empty_strings_out_and_quoted_spaces_in()
    {
        var words = new ShellLexer().ProcessWords("cmd \"\" '' \"a  b\" c\\ d", Environment);

        Assert.Equal(["cmd", "a  b", "c d"], words);
    }

    [Fact]
    public void Words_do_not_report_names()
    {
        Assert.Equal(["alpha", "x"], new ShellLexer().ProcessWords("$A x", Environment));
    }

    [Fact]
    public void Raw_words_are_pieces_of_the_input()
    {
        var input = "--mount=type=cache,target=\"/root/.cache dir\"  echo\t'$HOME'  x\\ y";

        var words = new ShellLexer().SplitRawWords(input);

        Assert.Equal(["--mount=type=cache,target=\"/root/.cache dir\"", "echo", "'$HOME'", "x\\ y"], words);
    }

    [Fact]
    public void Skipping_quote_processing_treats_quotes_as_text()
    {
        var lexer = new ShellLexer { SkipQuoteProcessing = true };

        Assert.Equal("'alpha' \"alpha\"", lexer.ProcessWord("'$A' \"$A\"", Environment).Value);
        Assert.Equal(["'a", "b'"], lexer.ProcessWords("'a b'", Environment));
    }
}
