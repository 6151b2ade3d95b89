using System.Formats.Tar;
using System.IO.Compression;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>kaniko's context flags (<c>--context</c> kinds, <c>--git</c>, <c>--context-sub-path</c>, <c>GIT_PULL_METHOD</c>) reach the request and the dry run.</summary>
public sealed class ContextFlagTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-context-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Git_options_and_the_sub_path_bind_to_the_request()
    {
        var parse = KanikoCommandLine.Create().Parse(["build", "--context", "git://git.test/repo.git#refs/heads/main", "--git", "branch=dev,single-branch=true",
            "--git", "recurse-submodules=true", "--git", "insecure-skip-tls=true", "--context-sub-path", "svc/api"]);
        Assert.Empty(parse.Errors);

        var request = BuildOptions.Bind(parse, name => name == "GIT_PULL_METHOD" ? "git" : null);

        Assert.Equal("git://git.test/repo.git#refs/heads/main", request.Context);
        Assert.Equal("svc/api", request.ContextSubPath);
        Assert.Equal(("dev", true, true, true, "git"), (request.Git.Branch, request.Git.SingleBranch, request.Git.RecurseSubmodules, request.Git.InsecureSkipTls, request.Git.PullMethod));
    }

    [Fact]
    public void Standard_input_is_a_context_value()
    {
        var parse = KanikoCommandLine.Create().Parse(["build", "--context", "-", "--no-push"]);

        Assert.Empty(parse.Errors);
        Assert.Equal("-", BuildOptions.Bind(parse, _ => null).Context);
    }

    [Fact]
    public void A_malformed_git_option_is_a_usage_error()
    {
        var error = new StringWriter();

        var exitCode = KanikoCommandLine.Run(["build", "--context", _temp.Path, "--no-push", "--git", "depth=1"], new StringWriter(), error);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("KANIKO2037", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dry_run_plans_from_a_tar_gz_context_and_its_sub_path()
    {
        var archive = _temp.Combine("context.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "app/Dockerfile")
            {
                DataStream = new MemoryStream("FROM scratch AS packed\nCOPY . /\n"u8.ToArray()),
            };
            tar.WriteEntry(entry);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(["build", "--dry-run", "--context", "tar://" + archive, "--context-sub-path", "app"], output, error);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Contains("packed", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_sub_path_fails_the_build_with_its_code()
    {
        var error = new StringWriter();

        var exitCode = KanikoCommandLine.Run(["build", "--dry-run", "--context", _temp.Path, "--context-sub-path", "nope"], new StringWriter(), error);

        Assert.Equal(ExitCodes.BuildFailed, exitCode);
        Assert.Contains("KANIKO2036", error.ToString(), StringComparison.Ordinal);
    }
}
