using System.Diagnostics;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Testing;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

/// <summary>Clones a bare repository made in a temporary folder, through <c>file://</c> only.</summary>
public sealed class GitSourceFetcherTests : IDisposable
{
    private static readonly DateTimeOffset FirstCommitTime = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_default_branch_is_checked_out_without_the_git_folder()
    {
        var repository = await CreateRepositoryAsync();

        var checkout = await FetchAsync(new GitSourceReference(repository.Remote));
        var entries = checkout.ToLayerEntries("/src");

        Assert.Equal(repository.SecondCommit, checkout.Commit);
        Assert.DoesNotContain(entries, e => e.Path.Contains(".git/", StringComparison.Ordinal) || e.Path.EndsWith(".git", StringComparison.Ordinal));
        Assert.Equal("v2\n", await ReadAsync(Single(entries, "src/README.md")));
        Assert.Equal(LayerEntry.DefaultFileMode, Single(entries, "src/README.md").Mode);
        Assert.Equal(LayerEntry.DefaultDirectoryMode, Single(entries, "src/tool.sh").Mode);
        Assert.Equal("README.md", Single(entries, "src/link").LinkTarget);
        Assert.Equal(LayerEntryType.Directory, Single(entries, "src/docs").Type);
        Assert.Contains(entries, e => e.Path == "src/docs/new.md");
        Assert.All(entries, e => Assert.Equal((0, 0), (e.Uid, e.Gid)));
    }

    [Theory]
    [InlineData("https://h.invalid/r.git#v1.0:docs")]
    [InlineData("https://h.invalid/r.git?tag=v1.0&subdir=docs")]
    [InlineData("https://h.invalid/r.git?ref=refs/tags/v1.0&subdir=docs/")]
    public async Task A_tag_and_a_subdirectory_select_the_content(string written)
    {
        var repository = await CreateRepositoryAsync();
        var source = GitSourceReference.Parse(written) with { Remote = repository.Remote };

        var checkout = await FetchAsync(source);
        var entries = checkout.ToLayerEntries("/app/docs", useCommitTime: true);

        Assert.Equal(repository.FirstCommit, checkout.Commit);
        Assert.Equal(["app/docs/guide.md"], entries.Select(e => e.Path));
        Assert.Equal(FirstCommitTime, entries[0].ModificationTime);
        Assert.Equal(FirstCommitTime, checkout.CommitTime);
    }

    [Fact]
    public async Task A_commit_id_and_the_kept_git_folder()
    {
        var repository = await CreateRepositoryAsync();

        var checkout = await FetchAsync(new GitSourceReference(repository.Remote, repository.FirstCommit), keepGitDirectory: true);
        var entries = checkout.ToLayerEntries("/");

        Assert.Equal(repository.FirstCommit, checkout.Commit);
        Assert.Equal("v1\n", await ReadAsync(Single(entries, "README.md")));
        Assert.Contains(entries, e => e.Path == ".git/HEAD");
    }

    [Fact]
    public async Task A_branch_from_the_query_and_an_expected_commit_are_checked()
    {
        var repository = await CreateRepositoryAsync();
        var branch = GitSourceReference.Parse("https://h.invalid/r.git?branch=main&checksum=" + repository.SecondCommit[..12]) with { Remote = repository.Remote };

        Assert.Equal(repository.SecondCommit, (await FetchAsync(branch)).Commit);

        var wrong = branch with { ExpectedCommit = repository.FirstCommit };
        var error = await Assert.ThrowsAnyAsync<KanikoException>(() => FetchAsync(wrong));
        Assert.Equal(DiagnosticCodes.GitCommandFailed, error.Code);
        Assert.Contains(repository.FirstCommit, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_refs_subdirectories_and_git_itself_are_clear_errors()
    {
        var repository = await CreateRepositoryAsync();

        var missingRef = await Assert.ThrowsAnyAsync<KanikoException>(() => FetchAsync(new GitSourceReference(repository.Remote, "no-such-branch")));
        Assert.Equal(DiagnosticCodes.GitCommandFailed, missingRef.Code);
        Assert.Contains(repository.Remote, missingRef.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-branch", missingRef.Message, StringComparison.Ordinal);

        var missingFolder = await Assert.ThrowsAsync<KanikoException>(() => FetchAsync(new GitSourceReference(repository.Remote, "main", "nope")));
        Assert.Equal(DiagnosticCodes.GitSubdirNotFound, missingFolder.Code);

        var noGit = await Assert.ThrowsAsync<KanikoException>(() =>
            new GitSourceFetcher(_temp.Combine("no-git-here", "git")).FetchAsync(new GitSourceReference(repository.Remote), false, _temp.Combine("work"), TestContext.Current.CancellationToken));
        Assert.Equal(DiagnosticCodes.GitNotFound, noGit.Code);
    }

    private Task<GitCheckout> FetchAsync(GitSourceReference source, bool keepGitDirectory = false) =>
        new GitSourceFetcher(TestRequirements.Executable("git")).FetchAsync(source, keepGitDirectory, _temp.Combine("work"), TestContext.Current.CancellationToken);

    private async Task<(string Remote, string FirstCommit, string SecondCommit)> CreateRepositoryAsync()
    {
        var git = TestRequirements.Executable("git");
        var bare = _temp.Combine("origin", "repo.git");
        var work = _temp.Combine("authoring");
        Directory.CreateDirectory(bare);
        Directory.CreateDirectory(Path.Combine(work, "docs"));
        await RunAsync(git, bare, FirstCommitTime, "init", "--quiet", "--bare", "--initial-branch=main");
        await RunAsync(git, work, FirstCommitTime, "init", "--quiet", "--initial-branch=main");
        await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "v1\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(work, "docs", "guide.md"), "guide\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(work, "tool.sh"), "#!/bin/sh\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(work, "tool.sh"), (UnixFileMode)0x1ED);
        }

        File.CreateSymbolicLink(Path.Combine(work, "link"), "README.md");
        await RunAsync(git, work, FirstCommitTime, "add", "-A");
        await RunAsync(git, work, FirstCommitTime, "commit", "--quiet", "-m", "first");
        await RunAsync(git, work, FirstCommitTime, "tag", "v1.0");
        var first = (await RunAsync(git, work, FirstCommitTime, "rev-parse", "HEAD")).Trim();
        await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "v2\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(work, "docs", "new.md"), "new\n", TestContext.Current.CancellationToken);
        await RunAsync(git, work, FirstCommitTime.AddDays(1), "add", "-A");
        await RunAsync(git, work, FirstCommitTime.AddDays(1), "commit", "--quiet", "-m", "second");
        var second = (await RunAsync(git, work, FirstCommitTime, "rev-parse", "HEAD")).Trim();
        await RunAsync(git, work, FirstCommitTime, "push", "--quiet", "--tags", bare, "main");
        return (new Uri(bare).AbsoluteUri, first, second);
    }

    private static async Task<string> RunAsync(string git, string directory, DateTimeOffset time, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(git)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-c", "user.name=Test", "-c", "user.email=test@example.invalid" }.Concat(arguments))
        {
            startInfo.ArgumentList.Add(argument);
        }

        var date = time.ToUnixTimeSeconds() + " +0000";
        startInfo.Environment["GIT_AUTHOR_DATE"] = date;
        startInfo.Environment["GIT_COMMITTER_DATE"] = date;
        startInfo.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        startInfo.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, "git " + string.Join(' ', arguments) + ": " + await error);
        return await output;
    }

    private static LayerEntry Single(IReadOnlyList<LayerEntry> entries, string path) => Assert.Single(entries, e => e.Path == path);

    private static async Task<string> ReadAsync(LayerEntry entry)
    {
        await using var stream = await entry.OpenContent!(TestContext.Current.CancellationToken);
        return await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
