using Kaniko.Engine.Compat;
using Kaniko.Engine.Execution.Copy;

namespace Kaniko.Engine.Tests.Execution;

public class GoFileMatchTests
{
    [Theory]
    [InlineData("*.txt", "a.txt", true)]
    [InlineData("*.txt", "sub/a.txt", false)]
    [InlineData("*", ".hidden", true)]
    [InlineData("*/*.txt", "sub/a.txt", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b", "a/b", false)]
    [InlineData("file?.txt", "file1.txt", true)]
    [InlineData("file?.txt", "file12.txt", false)]
    [InlineData("?", "/", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[a-c].txt", "d.txt", false)]
    [InlineData("[^a-c].txt", "d.txt", true)]
    [InlineData("[^a-c].txt", "a.txt", false)]
    [InlineData("[!a].txt", "!.txt", true)]
    [InlineData("[ab-]", "-", false)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("[", "[", false)]
    [InlineData("a[", "a[", false)]
    [InlineData("[]a]", "a", false)]
    [InlineData("[\\]a]", "]", true)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    public void Matches_as_go_filepath_Match(string pattern, string name, bool expected) =>
        Assert.Equal(expected, GoFileMatch.IsMatch(pattern, name));

    [Theory]
    [InlineData("a*", true)]
    [InlineData("a?", true)]
    [InlineData("[ab]", true)]
    [InlineData("a\\*", false)]
    [InlineData("plain/path", false)]
    public void Finds_wildcards_as_BuildKit(string path, bool expected) =>
        Assert.Equal(expected, GoFileMatch.HasWildcards(path));
}
