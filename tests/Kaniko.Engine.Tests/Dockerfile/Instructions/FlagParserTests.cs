using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Tests.Dockerfile.Instructions;

public class FlagParserTests
{
    private static readonly SourceRange Range = SourceRange.Line("Dockerfile", 7);

    [Fact]
    public void Reads_string_bool_and_repeated_flags()
    {
        var parser = new FlagParser(["--from=build", "--link", "--exclude=a", "--exclude=b", "--parents=false"], Range);
        var from = parser.AddString("from");
        var link = parser.AddBool("link");
        var parents = parser.AddBool("parents");
        var exclude = parser.AddStrings("exclude");
        var chown = parser.AddString("chown");

        parser.Parse();

        Assert.Equal("build", from.Value);
        Assert.True(link.BoolValue);
        Assert.True(parents.IsUsed);
        Assert.False(parents.BoolValue);
        Assert.Equal(["a", "b"], exclude.Values);
        Assert.False(chown.IsUsed);
        Assert.Null(chown.Value);
    }

    [Fact]
    public void Boolean_values_are_case_insensitive()
    {
        var parser = new FlagParser(["--link=TRUE"], Range);
        var link = parser.AddBool("link");

        parser.Parse();

        Assert.True(link.BoolValue);
    }

    [Fact]
    public void An_empty_string_value_is_allowed()
    {
        var parser = new FlagParser(["--chown="], Range);
        var chown = parser.AddString("chown");

        parser.Parse();

        Assert.Equal("", chown.Value);
    }

    [Fact]
    public void Double_dash_ends_the_flags()
    {
        var parser = new FlagParser(["--link", "--", "--unknown"], Range);
        parser.AddBool("link");

        parser.Parse();
    }

    [Theory]
    [InlineData("--nope", "unknown flag: --nope")]
    [InlineData("--nope=1", "unknown flag: --nope")]
    [InlineData("--link=", "missing a value on flag: --link")]
    [InlineData("--link=yes", "expecting boolean value for flag --link, not: yes")]
    [InlineData("--from", "missing a value on flag: --from")]
    [InlineData("-x", "arg should start with -- : -x")]
    public void Bad_flags_are_located_errors(string word, string message)
    {
        var parser = new FlagParser([word], Range);
        parser.AddBool("link");
        parser.AddString("from");

        var error = Assert.Throws<KanikoException>(parser.Parse);

        Assert.Equal("Dockerfile:7: " + message, error.Message);
        Assert.Equal(DiagnosticCodes.InvalidInstructionFlag, error.Code);
    }

    [Fact]
    public void A_single_flag_may_not_repeat()
    {
        var parser = new FlagParser(["--from=a", "--from=b"], Range);
        parser.AddString("from");

        var error = Assert.Throws<KanikoException>(parser.Parse);

        Assert.Equal("duplicate flag specified: --from", error.Detail);
    }
}
