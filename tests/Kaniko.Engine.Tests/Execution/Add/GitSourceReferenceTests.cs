using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Fetching;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

public sealed class GitSourceReferenceTests
{
    [Theory]
    [InlineData("https://example.invalid/org/repo.git", true)]
    [InlineData("https://example.invalid/org/repo.git#main", true)]
    [InlineData("https://example.invalid/org/repo.git?ref=main", true)]
    [InlineData("http://example.invalid/repo.git#v1:sub", true)]
    [InlineData("git://example.invalid/repo", true)]
    [InlineData("ssh://git@example.invalid/repo.git", true)]
    [InlineData("git@example.invalid:org/repo.git", true)]
    [InlineData("git@example.invalid:org/repo.git#main:docs", true)]
    [InlineData("https://example.invalid/file.tar.gz", false)]
    [InlineData("https://example.invalid/repo", false)]
    [InlineData("github.com/org/repo", false)]
    [InlineData("./repo.git", false)]
    [InlineData("repo.git", false)]
    [InlineData("C:/path", false)]
    public void Git_sources_are_recognised_as_buildkit_does(string source, bool expected) =>
        Assert.Equal(expected, GitSourceReference.IsGitSource(source));

    public static TheoryData<string, string, string?, string?> Parsed => new()
    {
        { "https://h.invalid/r.git", "https://h.invalid/r.git", null, null },
        { "https://h.invalid/r.git#v1.0", "https://h.invalid/r.git", "v1.0", null },
        { "https://h.invalid/r.git#v1.0:docs/api", "https://h.invalid/r.git", "v1.0", "docs/api" },
        { "https://h.invalid/r.git#:docs", "https://h.invalid/r.git", null, "docs" },
        { "git@h.invalid:o/r.git#refs/pull/1/head", "git@h.invalid:o/r.git", "refs/pull/1/head", null },
        { "https://h.invalid/r.git?ref=main&subdir=src/", "https://h.invalid/r.git", "main", "src" },
        { "https://h.invalid/r.git?branch=dev", "https://h.invalid/r.git", "refs/heads/dev", null },
        { "https://h.invalid/r.git?tag=v2&subdir=.%2Fa", "https://h.invalid/r.git", "refs/tags/v2", "a" },
    };

    [Theory]
    [MemberData(nameof(Parsed))]
    public void Fragments_and_queries_give_the_ref_and_subdirectory(string source, string remote, string? reference, string? subdirectory)
    {
        var parsed = GitSourceReference.Parse(source);

        Assert.Equal((remote, reference, subdirectory), (parsed.Remote, parsed.Ref, parsed.Subdirectory));
    }

    [Fact]
    public void Query_options_are_read()
    {
        var commit = new string('a', 40);
        var parsed = GitSourceReference.Parse("https://h.invalid/r.git?checksum=" + commit + "&keep-git-dir=true&submodules=false");

        Assert.Equal((commit, commit, true, false), (parsed.Ref, parsed.ExpectedCommit, parsed.KeepGitDir, parsed.Submodules));
    }

    [Theory]
    [InlineData("https://h.invalid/r.git?ref=a&tag=b")]
    [InlineData("https://h.invalid/r.git?colour=blue")]
    [InlineData("https://h.invalid/r.git?ref=a#b")]
    [InlineData("https://h.invalid/r.git?keep-git-dir=maybe")]
    [InlineData("https://h.invalid/r.git#main:../up")]
    [InlineData("https://h.invalid/r.git?checksum=XYZ")]
    [InlineData("https://h.invalid/file.zip")]
    public void Malformed_sources_are_refused(string source) =>
        Assert.Equal(DiagnosticCodes.InvalidGitSource, Assert.Throws<KanikoException>(() => GitSourceReference.Parse(source)).Code);
}

public sealed class AddSourcesTests
{
    [Theory]
    [InlineData("https://h.invalid/r.git#main", AddSourceKind.Git)]
    [InlineData("git@h.invalid:r.git", AddSourceKind.Git)]
    [InlineData("https://h.invalid/tool.tgz", AddSourceKind.Http)]
    [InlineData("tool.tgz", AddSourceKind.Local)]
    [InlineData("github.com/org/repo", AddSourceKind.Local)]
    public void Sources_are_classified_git_first(string source, object expected) =>
        Assert.Equal((AddSourceKind)expected, AddSources.Classify(source));

    [Theory]
    [InlineData(AddSourceKind.Local, null, true)]
    [InlineData(AddSourceKind.Local, false, false)]
    [InlineData(AddSourceKind.Http, null, false)]
    [InlineData(AddSourceKind.Http, true, true)]
    [InlineData(AddSourceKind.Git, true, false)]
    public void Unpacking_follows_the_flag_and_the_source_kind(object kind, bool? unpack, bool expected) =>
        Assert.Equal(expected, AddSources.ShouldUnpack((AddSourceKind)kind, unpack));
}
