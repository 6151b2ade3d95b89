using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// Builds from contexts that are not a local folder, pushed to the test registry: a <c>tar://</c> archive made with
/// <c>tar</c>, an archive on the CLI's standard input (<c>tar://stdin</c>), a git repository served on 127.0.0.1 by
/// <c>git daemon</c> (<c>git://</c>) and by <c>git http-backend</c> (smart HTTP), and an archive downloaded over HTTP.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class ContextSourceBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_tar_gz_context_builds_with_its_ignore_file_and_modes()
    {
        var archive = await TarContextAsync();
        var reference = _build.NewReference("ctxtar");

        await _build.BuildAsync(_build.Request(reference) with { Context = "tar://" + archive });
        Assert.Contains(_build.Events.OfType<MessageEvent>(), e => e.Text.Contains("tar://" + archive, StringComparison.Ordinal));

        var names = await NamesAsync(reference);
        Assert.Contains("ctx/kept.txt", names.Keys);
        Assert.DoesNotContain("ctx/secret.txt", names.Keys);
        Assert.Equal((UnixFileMode)0x1ED, names["ctx/bin/tool"]);
    }

    [Fact]
    public async Task An_archive_on_the_clis_standard_input_builds()
    {
        var archive = await TarContextAsync();
        var reference = _build.NewReference("ctxstdin");
        var start = new ProcessStartInfo(Dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll"), "build", "--context", "tar://stdin",
                     "--destination", reference, "--insecure-registry", registry.Host, "--cache-dir", _build.CacheDirectory, "--verbosity", "info"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(BuildHarness.Cancellation);
        var error = process.StandardError.ReadToEndAsync(BuildHarness.Cancellation);
        await using (var file = File.OpenRead(archive))
        {
            await file.CopyToAsync(process.StandardInput.BaseStream, BuildHarness.Cancellation);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(BuildHarness.Cancellation);

        Assert.True(process.ExitCode == 0, await output + await error);
        var names = await NamesAsync(reference);
        Assert.Contains("ctx/kept.txt", names.Keys);
        Assert.DoesNotContain("ctx/secret.txt", names.Keys);
    }

    [Fact]
    public async Task A_git_daemon_repository_builds_at_a_kaniko_commit_and_at_a_branch_sub_path()
    {
        var repository = await CreateRepositoryAsync();
        using var daemon = await GitDaemon.StartAsync(TestGit.Executable, repository.Root, BuildHarness.Cancellation);
        var url = $"git://127.0.0.1:{daemon.Port}/repo.git";
        var git = GitContextSettings.FromEnvironment([], name => name == "GIT_PULL_METHOD" ? "git" : null);
        var atCommit = _build.NewReference("ctxgitcommit");
        var atBranch = _build.NewReference("ctxgitbranch");

        await _build.BuildAsync(_build.Request(atCommit) with { Context = $"{url}#refs/heads/main#{repository.FirstCommit}", Git = git });
        await _build.BuildAsync(_build.Request(atBranch) with { Context = url + "#refs/heads/feature", Git = git, ContextSubPath = "app" });

        var first = await NamesAsync(atCommit);
        Assert.Contains("src/one.txt", first.Keys);
        Assert.DoesNotContain("src/two.txt", first.Keys);
        Assert.DoesNotContain(first.Keys, n => n.Contains(".git/", StringComparison.Ordinal));
        Assert.Contains("app/feature.txt", (await NamesAsync(atBranch)).Keys);
    }

    [Fact]
    public async Task A_smart_http_repository_builds_at_a_tag_and_at_a_ref_with_a_sub_directory()
    {
        var repository = await CreateRepositoryAsync();
        await using var server = new GitHttpServer(TestGit.Executable, repository.Root);
        var atTag = _build.NewReference("ctxhttptag");
        var atSubdir = _build.NewReference("ctxhttpsub");

        await _build.BuildAsync(_build.Request(atTag) with { Context = server.BaseUrl + "/repo.git#v1" });
        await _build.BuildAsync(_build.Request(atSubdir) with { Context = server.BaseUrl + "/repo.git#feature:app" });

        var tag = await NamesAsync(atTag);
        Assert.Contains("src/one.txt", tag.Keys);
        Assert.DoesNotContain("src/two.txt", tag.Keys);
        Assert.Contains("app/feature.txt", (await NamesAsync(atSubdir)).Keys);
    }

    [Fact]
    public async Task A_missing_ref_or_sub_path_is_named_and_credentials_are_never_shown()
    {
        var repository = await CreateRepositoryAsync();
        await using var server = new GitHttpServer(TestGit.Executable, repository.Root);
        var withPassword = server.BaseUrl.Replace("http://", "http://builder:s3cr3t-value@", StringComparison.Ordinal) + "/repo.git";

        var missingRef = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true, Context = withPassword + "#no-such-branch" }));
        var missingDirectory = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true, Context = withPassword + "#main:nope" }));
        var missingRepository = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true, Context = server.BaseUrl.Replace("http://", "http://builder:s3cr3t-value@", StringComparison.Ordinal) + "/other.git" }));

        Assert.Equal(DiagnosticCodes.ContextGitRefNotFound, missingRef.Code);
        Assert.Contains("'no-such-branch'", missingRef.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.ContextSubPathNotFound, missingDirectory.Code);
        Assert.Equal(DiagnosticCodes.ContextGitFailed, missingRepository.Code);
        foreach (var error in new[] { missingRef, missingDirectory, missingRepository })
        {
            Assert.DoesNotContain("s3cr3t-value", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("http://***@127.0.0.1", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Kanikos_git_token_reaches_the_http_remote_and_no_message()
    {
        var repository = await CreateRepositoryAsync();
        const string Token = "tok-8d2f1c";
        await using var server = new GitHttpServer(TestGit.Executable, repository.Root, "Basic " + Convert.ToBase64String("tok-8d2f1c:"u8.ToArray()));
        var reference = _build.NewReference("ctxgittoken");
        var withToken = GitContextSettings.FromEnvironment([], name => name == "GIT_TOKEN" ? Token : null);

        await _build.BuildAsync(_build.Request(reference) with { Context = server.BaseUrl + "/repo.git#v1", Git = withToken });
        var refused = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true, Context = server.BaseUrl + "/repo.git#v1" }));

        Assert.Contains("src/one.txt", (await NamesAsync(reference)).Keys);
        Assert.Equal(DiagnosticCodes.ContextGitFailed, refused.Code);
        Assert.DoesNotContain(Token, refused.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, withToken.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_http_archive_builds_and_a_missing_one_is_named()
    {
        var archive = await File.ReadAllBytesAsync(await TarContextAsync(), BuildHarness.Cancellation);
        await using var server = new RawHttpServer(request => request.Path == "/context.tar.gz" ? new Respond(200, archive) : Respond.Text(404, "no"));
        var reference = _build.NewReference("ctxhttp");

        await _build.BuildAsync(_build.Request(reference) with { Context = server.BaseUrl + "/context.tar.gz" });
        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true, Context = server.BaseUrl + "/missing.tar.gz" }));

        Assert.Contains("ctx/kept.txt", (await NamesAsync(reference)).Keys);
        Assert.Equal(DiagnosticCodes.ContextDownloadFailed, error.Code);
        Assert.Contains("404", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_plans_from_a_tar_context()
    {
        var archive = await TarContextAsync();

        var plan = KanikoPlanner.Plan(new BuildRequest { Context = "tar://" + archive, WorkDirectoryRoot = _build.Path() });

        Assert.Single(plan.Stages);
        Assert.Empty(Directory.EnumerateDirectories(_build.Path(), "kaniko-dotnet-context-*"));
    }

    private static string Dotnet => "/usr/share/dotnet/dotnet" is var shared && File.Exists(shared) ? shared : TestRequirements.Executable("dotnet");

    private async Task<Dictionary<string, UnixFileMode>> NamesAsync(string reference)
    {
        var layers = await _build.LayerEntriesAsync(reference);
        return layers.SelectMany(l => l).ToDictionary(e => e.Name, e => e.Mode);
    }

    // A context with an ignore file and an executable, packed by tar itself (gzip), with owners that are not ours.
    private async Task<string> TarContextAsync()
    {
        _build.Write("Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
        _build.Write(".dockerignore", "secret.txt\n");
        _build.Write("kept.txt", "kept\n");
        _build.Write("secret.txt", "secret\n");
        _build.Write("bin/tool", "#!/bin/sh\n", (UnixFileMode)0x1ED);
        var archive = _build.Path("context-" + Guid.NewGuid().ToString("N")[..8] + ".tgz");
        await ExternalTools.RunCheckedAsync(TestRequirements.Executable("tar"),
            ["-czf", archive, "-C", _build.ContextDirectory, "--owner=1234", "--group=5678", "."], cancellationToken: BuildHarness.Cancellation);
        return archive;
    }

    private sealed record Repository(string Root, string FirstCommit);

    // repo.git: main has Dockerfile and one.txt (tag v1), then two.txt; branch feature adds app/ with its own Dockerfile.
    private async Task<Repository> CreateRepositoryAsync()
    {
        var root = _build.Path("git");
        var work = _build.Path("git-work");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(work, "app"));
        var cancellation = BuildHarness.Cancellation;
        await TestGit.RunAsync(root, cancellation, "init", "--quiet", "--bare", Path.Combine(root, "repo.git"));
        await TestGit.RunAsync(work, cancellation, "init", "--quiet");
        await File.WriteAllTextAsync(Path.Combine(work, "Dockerfile"), "FROM scratch\nCOPY . /src/\n", cancellation);
        await File.WriteAllTextAsync(Path.Combine(work, "one.txt"), "one\n", cancellation);
        await TestGit.RunAsync(work, cancellation, "add", "Dockerfile", "one.txt");
        await TestGit.RunAsync(work, cancellation, "commit", "--quiet", "-m", "one");
        await TestGit.RunAsync(work, cancellation, "tag", "v1");
        var first = (await TestGit.RunAsync(work, cancellation, "rev-parse", "HEAD")).Trim();
        await File.WriteAllTextAsync(Path.Combine(work, "two.txt"), "two\n", cancellation);
        await TestGit.RunAsync(work, cancellation, "add", "two.txt");
        await TestGit.RunAsync(work, cancellation, "commit", "--quiet", "-m", "two");
        await TestGit.RunAsync(work, cancellation, "checkout", "--quiet", "-b", "feature");
        await File.WriteAllTextAsync(Path.Combine(work, "app", "Dockerfile"), "FROM scratch\nCOPY . /app/\n", cancellation);
        await File.WriteAllTextAsync(Path.Combine(work, "app", "feature.txt"), "feature\n", cancellation);
        await TestGit.RunAsync(work, cancellation, "add", "app");
        await TestGit.RunAsync(work, cancellation, "commit", "--quiet", "-m", "feature");
        await TestGit.RunAsync(work, cancellation, "push", "--quiet", "--tags", Path.Combine(root, "repo.git"), "main", "feature");
        return new Repository(root, first);
    }
}
