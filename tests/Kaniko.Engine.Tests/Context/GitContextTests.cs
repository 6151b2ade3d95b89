using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;

namespace Kaniko.Engine.Tests.Context;

/// <summary>Git context spellings (kaniko's and BuildKit's), the <c>--git</c> options, and credential redaction.</summary>
public sealed class GitContextTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData("git://example.invalid/org/repo.git", null, "https://example.invalid/org/repo.git", null, null)]
    [InlineData("git://example.invalid/org/repo#refs/heads/dev", null, "https://example.invalid/org/repo", "refs/heads/dev", null)]
    [InlineData("git://example.invalid/org/repo.git#refs/heads/dev#" + Commit, null, "https://example.invalid/org/repo.git", Commit, null)]
    [InlineData("git://example.invalid/org/repo.git#v1:app/web", null, "https://example.invalid/org/repo.git", "v1", "app/web")]
    [InlineData("git://127.0.0.1:9418/repo.git#main", "git", "git://127.0.0.1:9418/repo.git", "main", null)]
    [InlineData("git://example.invalid/repo.git", "http", "http://example.invalid/repo.git", null, null)]
    [InlineData("git://example.invalid/repo.git", "ftp", "https://example.invalid/repo.git", null, null)]
    [InlineData("https://example.invalid/org/repo.git#main:sub", null, "https://example.invalid/org/repo.git", "main", "sub")]
    [InlineData("http://127.0.0.1:8080/repo.git?ref=v2&subdir=docs", null, "http://127.0.0.1:8080/repo.git", "v2", "docs")]
    [InlineData("ssh://git@example.invalid/org/repo.git#dev", null, "ssh://git@example.invalid/org/repo.git", "dev", null)]
    [InlineData("git@example.invalid:org/repo.git#dev:x", null, "git@example.invalid:org/repo.git", "dev", "x")]
    public void Kaniko_and_buildkit_spellings_are_read(string argument, string? pullMethod, string remote, string? reference, string? subdirectory)
    {
        Assert.True(GitContextReference.IsGitContext(argument));

        var parsed = GitContextReference.Parse(argument, new GitContextOptions { PullMethod = pullMethod });

        Assert.Equal((remote, reference, subdirectory), (parsed.Source.Remote, parsed.Source.Ref, parsed.Subdirectory));
        Assert.Null(parsed.Source.Subdirectory);
        Assert.False(parsed.Source.Submodules);
    }

    [Theory]
    [InlineData("https://example.invalid/context.tar.gz")]
    [InlineData("https://example.invalid/org/repo")]
    [InlineData("tar://x.tar")]
    [InlineData("/srv/context")]
    public void Other_contexts_are_not_git(string argument) => Assert.False(GitContextReference.IsGitContext(argument));

    [Fact]
    public void The_git_options_replace_the_ref_and_turn_on_submodules()
    {
        var options = GitContextOptions.Parse(["branch=release,single-branch=true", "recurse-submodules=true", "insecure-skip-tls=TRUE"]);

        var parsed = GitContextReference.Parse("git://example.invalid/repo.git#refs/heads/main", options);

        Assert.Equal("release", parsed.Source.Ref);
        Assert.True(parsed.Source.Submodules);
        Assert.Equal((true, true), (options.SingleBranch, options.InsecureSkipTls));
    }

    [Fact]
    public void Kanikos_git_variables_give_the_credential_and_the_token_wins()
    {
        var variables = new Dictionary<string, string> { ["GIT_USERNAME"] = "user", ["GIT_PASSWORD"] = "pw-77", ["GIT_PULL_METHOD"] = "http" };

        var withPassword = GitContextOptions.FromEnvironment([], variables.GetValueOrDefault);
        variables["GIT_TOKEN"] = "tok-55";
        var withToken = GitContextOptions.FromEnvironment(["branch=x"], variables.GetValueOrDefault);
        var without = GitContextOptions.FromEnvironment([], _ => null);

        Assert.Equal(("user", "pw-77", "http"), (withPassword.Credential!.UserName, withPassword.Credential.Password, withPassword.EffectivePullMethod));
        Assert.Equal(("tok-55", "", "x"), (withToken.Credential!.UserName, withToken.Credential.Password, withToken.Branch));
        Assert.Null(without.Credential);
        Assert.DoesNotContain("pw-77", withPassword.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok-55", withToken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_credential_header_is_for_the_remotes_host_only()
    {
        var credential = new GitCredential("tok", "");

        var header = credential.HeaderSetting("https://git.test:8443/org/repo.git");

        Assert.Equal("http.https://git.test:8443/.extraHeader", header!.Value.Key);
        Assert.Equal("Authorization: Basic " + Convert.ToBase64String("tok:"u8.ToArray()), header.Value.Value);
        Assert.Null(credential.HeaderSetting("ssh://git@git.test/org/repo.git"));
        Assert.Null(credential.HeaderSetting("git@git.test:org/repo.git"));
    }

    [Theory]
    [InlineData("depth=1")]
    [InlineData("branch")]
    [InlineData("recurse-submodules=maybe")]
    public void Malformed_git_options_are_refused(string value)
    {
        var error = Assert.Throws<KanikoException>(() => GitContextOptions.Parse([value]));

        Assert.Equal(DiagnosticCodes.ContextGitOptionInvalid, error.Code);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("git://")]
    [InlineData("git://example.invalid/repo.git#main#abc123")]
    [InlineData("git://example.invalid/repo.git#a#" + Commit + "#more")]
    [InlineData("https://example.invalid/repo.git#main:../up")]
    public void Malformed_git_urls_are_refused(string argument)
    {
        var error = Assert.Throws<KanikoException>(() => GitContextReference.Parse(argument, new GitContextOptions()));

        Assert.Equal(DiagnosticCodes.ContextGitUrlInvalid, error.Code);
    }

    [Theory]
    [InlineData("https://user:s3cret@example.invalid/repo.git", "https://***@example.invalid/repo.git")]
    [InlineData("fatal: unable to access 'https://tok@example.invalid/r.git/': 403", "fatal: unable to access 'https://***@example.invalid/r.git/': 403")]
    [InlineData("git@example.invalid:org/repo.git", "git@example.invalid:org/repo.git")]
    [InlineData("https://example.invalid/a@b", "https://example.invalid/a@b")]
    public void Credentials_in_urls_are_redacted(string text, string expected) => Assert.Equal(expected, UrlRedaction.Redact(text));

    [Fact]
    public void A_malformed_url_error_does_not_show_its_password()
    {
        var error = Assert.Throws<KanikoException>(() => GitContextReference.Parse("https://user:s3cret@example.invalid/repo.git#main:../up", new GitContextOptions()));

        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }
}
