using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

public sealed class DockerIgnoreMatcherTests
{
    private static DockerIgnoreMatcher Parse(string content) =>
        DockerIgnoreMatcher.Parse(Encoding.UTF8.GetBytes(content), ".dockerignore");

    [Fact]
    public void Patterns_are_normalised_as_buildkit_reads_them()
    {
        var matcher = Parse("\uFEFF# comment\r\n  /a/b/  \r\n! ./c\r\n\r\nd/../e");

        Assert.Equal(["a/b", "!c", "e"], matcher.Patterns);
    }

    [Fact]
    public void A_bom_after_the_first_line_is_part_of_the_pattern()
    {
        var patterns = DockerIgnoreMatcher.ReadPatterns("a\n\uFEFFb"u8);

        Assert.Equal(["a", "\uFEFFb"], patterns);
    }

    [Fact]
    public void Malformed_pattern_is_reported_with_file_line_and_code()
    {
        var error = Assert.Throws<KanikoException>(() =>
            DockerIgnoreMatcher.Parse("ok\n# comment\n\nbad[\n"u8, "sub/Dockerfile.dockerignore"));

        Assert.Equal(DiagnosticCodes.IgnorePatternInvalid, error.Code);
        Assert.Equal(SourceRange.Line("sub/Dockerfile.dockerignore", 4), error.Range);
        Assert.StartsWith("sub/Dockerfile.dockerignore:4: invalid ignore pattern 'bad['", error.Message);
    }

    [Fact]
    public void A_pattern_that_fails_only_as_a_regular_expression_is_reported_when_parsed()
    {
        // Go's glob check accepts "[Local-Only]" (a reversed range is no error there); its regular expression does not.
        var error = Assert.Throws<KanikoException>(() => Parse("[Local-Only]/"));

        Assert.Contains("[Local-Only]", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_matcher_excludes_nothing()
    {
        Assert.False(DockerIgnoreMatcher.Empty.IsExcluded("anything/at/all"));
        Assert.Empty(DockerIgnoreMatcher.Empty.Patterns);
    }

    [Fact]
    public void The_context_root_is_never_excluded() => Assert.False(Parse("**\n*\n.").IsExcluded("."));

    [Theory]
    [InlineData("dist/app.js", true)]
    [InlineData("dist/keep/a.txt", false)]
    [InlineData("dist/keep", false)]
    [InlineData("src/main.ts", false)]
    public void Exceptions_apply_in_order(string path, bool excluded) =>
        Assert.Equal(excluded, Parse("dist\n!dist/keep\n").IsExcluded(path));

    [Fact]
    public void Windows_style_trailing_separator_in_the_path_is_cleaned() =>
        Assert.True(Parse("logs").IsExcluded("logs/"));

    [Fact]
    public void Matcher_is_usable_from_several_threads()
    {
        var matcher = Parse("**/*.tmp\n!keep/**\n");
        var results = Enumerable.Range(0, 200).AsParallel()
            .Select(i => matcher.IsExcluded($"d{i}/f.tmp") && !matcher.IsExcluded($"keep/d{i}/f.tmp"))
            .ToArray();

        Assert.All(results, Assert.True);
    }
}
