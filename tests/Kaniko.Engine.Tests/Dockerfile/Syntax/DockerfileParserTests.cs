using System.Text;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Tests.Dockerfile.Syntax;

public sealed class DockerfileParserTests
{
    private static ParseResult Parse(string text, string fileName = "Dockerfile") =>
        DockerfileParser.Parse(Encoding.UTF8.GetBytes(text), fileName);

    private static DockerfileSyntaxException Fails(string text, string fileName = "Dockerfile") =>
        Assert.Throws<DockerfileSyntaxException>(() => Parse(text, fileName));

    [Fact]
    public void Node_keeps_keyword_case_and_exposes_lower_case_name()
    {
        var node = Parse("Copy --from=a b c\n").Nodes.Single();

        Assert.Equal("Copy", node.Keyword);
        Assert.Equal("copy", node.Name);
        Assert.Equal(["--from=a"], node.Flags);
        Assert.Equal(["b", "c"], node.Arguments);
        Assert.Equal("Copy --from=a b c", node.Original);
        Assert.Equal("copy [\"--from=a\"] \"b\" \"c\"", node.Dump());
    }

    [Fact]
    public void Original_is_the_joined_logical_line()
    {
        var node = Parse("FROM a\nRUN one \\\n  two\n").Nodes[1];

        Assert.Equal("RUN one   two", node.Original);
        Assert.Equal((2, 3), (node.StartLine, node.EndLine));
    }

    [Fact]
    public void Json_form_is_flagged()
    {
        var nodes = Parse("FROM a\nCMD [\"x\"]\nCMD x\n").Nodes;

        Assert.True(nodes[1].IsJsonForm);
        Assert.False(nodes[2].IsJsonForm);
    }

    [Fact]
    public void Onbuild_wraps_the_nested_instruction()
    {
        var node = Parse("FROM a\nONBUILD RUN [\"make\"]\n").Nodes[1];

        Assert.Empty(node.Arguments);
        Assert.NotNull(node.Nested);
        Assert.Equal("run", node.Nested.Name);
        Assert.True(node.Nested.IsJsonForm);
        Assert.Equal(["make"], node.Nested.Arguments);
        Assert.Equal("RUN [\"make\"]", node.Nested.Original);
        Assert.Equal(2, node.Nested.StartLine);
    }

    [Fact]
    public void Directives_are_reported_raw()
    {
        var directives = Parse("# syntax = docker/dockerfile:1.7 \n#CHECK=skip=all\n# escape=`\nFROM a\n").Directives;

        Assert.Equal(new ParserDirectives('`', "docker/dockerfile:1.7", "skip=all"), directives);
    }

    [Fact]
    public void Default_directives_use_backslash()
    {
        Assert.Equal(new ParserDirectives('\\', null, null), Parse("FROM a\n").Directives);
    }

    [Fact]
    public void Directive_after_an_instruction_is_a_comment()
    {
        var result = Parse("FROM a\n# escape=`\nRUN x \\\n y\n");

        Assert.Equal('\\', result.Directives.EscapeToken);
        Assert.Equal("(from \"a\")\n(run \"x  y\")\n", result.Dump());
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("quote\" back\\", "\"quote\\\" back\\\\\"")]
    [InlineData("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"")]
    [InlineData("\u0000\u001f\u007f", "\"\\x00\\x1f\\x7f\"")]
    [InlineData("é日本😀", "\"é日本😀\"")]
    [InlineData("\u00a0\u200b\u2028\u0085\ufeff", "\"\\u00a0\\u200b\\u2028\\u0085\\ufeff\"")]
    [InlineData("\U000E0001", "\"\\U000e0001\"")]
    public void Quote_follows_go_strconv(string input, string expected) =>
        Assert.Equal(expected, GoQuote.Quote(input));

    [Fact]
    public void Invalid_utf8_bytes_are_kept_and_printed_as_hex()
    {
        byte[] content = [.. "FROM a\nRUN x"u8, 0xFF, 0xC3, .. " y\n"u8];
        var node = DockerfileParser.Parse(content, "Dockerfile").Nodes[1];

        Assert.Equal("run \"x\\xff\\xc3 y\"", node.Dump());
        Assert.Equal([.. "x"u8, 0xFF, 0xC3, .. " y"u8], GoText.EncodeUtf8(node.Arguments[0]));
    }

    [Fact]
    public void Line_numbers_cover_continuations_skipped_lines_and_heredocs()
    {
        var text = "# comment\n\nFROM a\nRUN one \\\n# inside\n\n  two\nCOPY <<X <<Y /d\nx\nX\ny\nY\nUSER me\n";
        var nodes = Parse(text).Nodes;

        Assert.Equal([(3, 3), (4, 7), (8, 12), (13, 13)], nodes.Select(n => (n.StartLine, n.EndLine)));
    }

    [Fact]
    public void Heredoc_content_keeps_raw_lines_and_is_not_chomped()
    {
        var node = Parse("FROM a\nRUN <<-EOT\n\tif x; then\n\t  y \\\n# kept\n\tEOT\n").Nodes[1];

        var heredoc = Assert.Single(node.Heredocs);
        Assert.Equal(new Heredoc("EOT", "\tif x; then\n\t  y \\\n# kept\n", Expand: true, Chomp: true, FileDescriptor: 0), heredoc);
        Assert.Equal("run \"<<-EOT\"", node.Dump());
    }

    [Fact]
    public void Heredoc_bodies_follow_each_other_and_terminator_must_match_exactly()
    {
        var node = Parse("FROM a\nRUN cat <<A 4<<'B'\n A\nA\n$b\nB\n").Nodes[1];

        Assert.Equal(
            [new Heredoc("A", " A\n", true, false, 0), new Heredoc("B", "$b\n", false, false, 4)],
            node.Heredocs);
    }

    [Fact]
    public void Heredoc_markers_are_found_with_the_backslash_escape_even_under_a_backtick_directive()
    {
        var node = Parse("# escape=`\nFROM a\nRUN <<EOF\\ X\nbody\nEOF X\n").Nodes[1];

        Assert.Equal("EOF X", Assert.Single(node.Heredocs).Name);
    }

    [Theory]
    [InlineData("RUN <<EOF", "EOF", true, false, 0)]
    [InlineData("RUN <<-\"A B\"", "A B", false, true, 0)]
    [InlineData("RUN 12<<x", "x", true, false, 12)]
    [InlineData("RUN << EOF", "EOF", true, false, 0)]
    [InlineData("RUN <<E'O'F", "EOF", false, false, 0)]
    public void Heredoc_marker_in_line(string line, string name, bool expand, bool chomp, int fd) =>
        Assert.Equal(new Heredoc(name, "", expand, chomp, fd), Assert.Single(HeredocMarkers.FromLine(line)));

    [Theory]
    [InlineData("RUN '<<EOF'")]
    [InlineData("RUN <<'EOF")]
    [InlineData("RUN x<<EOF")]
    [InlineData("RUN <<<EOF")]
    [InlineData("RUN <<- EOF")]
    [InlineData("RUN <<EOF${v:-x}")]
    public void No_heredoc_marker_in_line(string line) => Assert.Empty(HeredocMarkers.FromLine(line));

    [Theory]
    [InlineData("<<'EOF")]
    [InlineData("<<EOF\"")]
    [InlineData("<<${v")]
    public void Marker_word_that_is_not_a_shell_word_is_an_error(string word) =>
        Assert.Throws<ShellWordException>(() => HeredocMarkers.ParseWord(word));

    [Fact]
    public void Expansion_with_default_swallows_the_marker_as_buildkit_does()
    {
        // BuildKit's lexer shares one word buffer with the nested ${v:-...} read, so "<<" before it is lost.
        var node = Parse("FROM a\nRUN <<${v:-x y}\n").Nodes[1];

        Assert.Empty(node.Heredocs);
    }

    [Fact]
    public void Unbalanced_quote_gives_no_heredoc_and_no_error()
    {
        var result = Parse("FROM a\nRUN <<'EOF\nx\n");

        Assert.Equal("(from \"a\")\n(run \"<<'EOF\")\n(x \"\")\n", result.Dump());
    }

    [Fact]
    public void Empty_continuation_line_is_a_located_warning()
    {
        var warning = Assert.Single(Parse("FROM a\nRUN x \\\n\n  y\n").Warnings);

        Assert.Equal(DiagnosticCodes.EmptyContinuationLine, warning.Code);
        Assert.Equal("Dockerfile:3: empty continuation line found in: RUN x   y", warning.ToString());
    }

    [Fact]
    public void Error_messages_name_file_and_line()
    {
        Assert.Equal("build/Dockerfile.prod:3: ENV must have two arguments", Fails("FROM a\n\nENV KEY\n", "build/Dockerfile.prod").Message);
        Assert.Equal("Dockerfile:2: only one escape parser directive can be used", Fails("# escape=`\n# escape=\\\nFROM a\n").Message);
        Assert.Equal("Dockerfile:1: invalid escape token 'x' does not match ` or \\", Fails("# escape=x\nFROM a\n").Message);
        Assert.Equal("Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only",
            Fails("FROM a\nVOLUME [1]\n").Message);
        Assert.Equal("Dockerfile:2: syntax error - can't find = in \"b\": must be of the form name=value", Fails("FROM a\nENV a=1 b\n").Message);
        Assert.Equal("Dockerfile:1: file with no instructions", Fails("").Message);
    }

    [Fact]
    public void Error_range_spans_the_whole_instruction()
    {
        var error = Fails("FROM a\nLABEL \\\n  a=1 \\\n  b\n");

        Assert.Equal(new SourceRange("Dockerfile", 2, 4), error.Range);
        Assert.Equal(DiagnosticCodes.KeyValueMissingEquals, error.Code);
    }

    [Fact]
    public void Unterminated_heredoc_names_the_instruction_line()
    {
        var error = Fails("FROM a\nRUN <<EOF\nx\n  EOF\n");

        Assert.Equal(DiagnosticCodes.UnterminatedHeredoc, error.Code);
        Assert.Equal(new SourceRange("Dockerfile", 2, 4), error.Range);
        Assert.StartsWith("Dockerfile:2: unterminated heredoc", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(65535, true)]
    [InlineData(65536, false)]
    public void Line_limit_counts_the_newline(int bytesBeforeNewline, bool accepted)
    {
        var content = Encoding.ASCII.GetBytes("FROM a\nRUN " + new string('x', bytesBeforeNewline - 4) + "\n");
        if (accepted)
        {
            Assert.Equal(2, DockerfileParser.Parse(content, "Dockerfile").Nodes.Count);
        }
        else
        {
            var error = Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse(content, "Dockerfile"));
            Assert.Equal(DiagnosticCodes.DockerfileLineTooLong, error.Code);
            Assert.Equal(2, error.Range!.Value.StartLine);
        }
    }

    [Fact]
    public void Last_line_without_newline_must_be_shorter_than_the_buffer()
    {
        var fits = Encoding.ASCII.GetBytes("FROM a\nRUN " + new string('x', 65535 - 4));
        var tooLong = Encoding.ASCII.GetBytes("FROM a\nRUN " + new string('x', 65536 - 4));

        Assert.Equal(2, DockerfileParser.Parse(fits, "Dockerfile").Nodes.Count);
        Assert.Throws<DockerfileSyntaxException>(() => DockerfileParser.Parse(tooLong, "Dockerfile"));
    }

    [Fact]
    public void Bom_is_dropped_only_from_the_first_line_and_crlf_is_handled()
    {
        byte[] content = [0xEF, 0xBB, 0xBF, .. "# escape=`\r\nFROM a\r\nRUN x `\r\n y\r\n"u8];
        var result = DockerfileParser.Parse(content, "Dockerfile");

        Assert.Equal('`', result.Directives.EscapeToken);
        Assert.Equal("(from \"a\")\n(run \"x  y\")\n", result.Dump());
    }

    [Fact]
    public void Empty_logical_line_becomes_a_nameless_instruction()
    {
        // BuildKit keeps it as an instruction with an empty keyword; the instruction layer rejects it.
        var result = Parse("FROM a\n\\\n");

        Assert.Equal("(from \"a\")\n(\"\")\n", result.Dump());
        Assert.Equal("", result.Nodes[1].Keyword);
    }

    [Fact]
    public void Ten_thousand_lines_parse_with_correct_line_numbers()
    {
        // Speed is measured by benchmarks/Kaniko.Benchmarks (DockerfileFrontendBenchmarks), not by a timed test.
        var builder = new StringBuilder("FROM alpine\n");
        for (var i = 0; i < 10_000; i++)
        {
            builder.Append(i % 3 == 0 ? $"RUN echo {i} \\\n  && true\n" : i % 3 == 1 ? $"ENV K{i}=\"v {i}\" X=1\n" : "COPY [\"a\", \"b\"]\n");
        }

        var result = DockerfileParser.Parse(Encoding.UTF8.GetBytes(builder.ToString()), "Dockerfile");

        Assert.Equal(10_001, result.Nodes.Count);
        var last = result.Nodes[^1];
        Assert.Equal(last.EndLine - 1, last.StartLine); // the last RUN has a continuation line
        Assert.Equal(1 + 10_000 + (10_000 + 2) / 3, last.EndLine);
    }

    [Fact]
    public void Deep_json_nesting_does_not_overflow_the_stack()
    {
        var deep = "CMD [" + new string('[', 20_000) + new string(']', 20_000) + "]";

        var node = Parse("FROM a\n" + deep + "\n").Nodes[1];

        Assert.False(node.IsJsonForm); // beyond Go's depth limit: not JSON, so the shell form
    }

    [Fact]
    public void Moderate_json_nesting_is_a_non_string_error()
    {
        Fails("FROM a\nCMD [[[[\"x\"]]]]\n");
    }
}
