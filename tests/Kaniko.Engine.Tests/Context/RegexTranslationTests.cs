using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Context;

/// <summary>
/// Docker hands wildcard patterns to Go's regular expression engine after a partial escape, so some regular
/// expression syntax reaches it. These cases pin the parts of that behaviour we reproduce (docs/dockerignore.md).
/// </summary>
public sealed class RegexTranslationTests
{
    private static bool Excluded(string pattern, string path) =>
        DockerIgnoreMatcher.Parse(Encoding.UTF8.GetBytes(pattern), ".dockerignore").IsExcluded(path);

    [Theory]
    [InlineData(@"v\d", "v7", true)]
    [InlineData(@"v\d", "vd", false)]
    [InlineData(@"v\D", "vd", true)]
    [InlineData(@"\w\w", "a_", true)]
    [InlineData(@"\w\w", "a-", false)]
    [InlineData(@"a\x41", "aA", true)]
    [InlineData(@"a\101", "aA", true)]
    [InlineData(@"x[\d]", "x3", true)]
    [InlineData(@"x[[:^digit:]]", "x3", false)]
    [InlineData(@"x[[:^digit:]]", "xz", true)]
    [InlineData(@"x[[:space:]]y", "x y", true)]
    [InlineData(@"\Q[a]\E", "[a]", true)]
    [InlineData(@"[😀-😂]", "😁", true)]
    [InlineData(@"[😀-😂]", "😃", false)]
    [InlineData(@"[^a]", "😃", true)]
    public void Regular_expression_syntax_that_reaches_the_engine_keeps_its_meaning(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, Excluded(pattern, path));

    [Theory]
    [InlineData(@"a\pL")]
    [InlineData(@"a\x{42}")] // Docker escapes the braces before the engine sees them, leaving a bare \x
    [InlineData(@"a\q")]
    [InlineData(@"a\8")]
    [InlineData(@"[b-a]x")]
    [InlineData(@"[[:nope:]]")]
    public void Expressions_the_engine_rejects_are_malformed_patterns(string pattern)
    {
        var error = Assert.Throws<KanikoException>(() => Excluded(pattern, "x"));

        Assert.Equal(DiagnosticCodes.IgnorePatternInvalid, error.Code);
    }
}
