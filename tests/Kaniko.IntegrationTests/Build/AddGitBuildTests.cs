using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// <c>ADD</c> of a git repository: a bare repository made in a temporary folder, served by <c>git daemon</c> on
/// 127.0.0.1 (a <c>git://</c> URL, which <c>AddSources.Classify</c> reads as git, unlike a <c>file://</c> one).
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class AddGitBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_tag_goes_into_the_destination_with_the_copy_owner_and_mode_and_without_git_folder()
    {
        var git = TestRequirements.Executable("git");
        var repository = await CreateRepositoryAsync(git);
        using var daemon = await GitDaemon.StartAsync(git, repository.Root, BuildHarness.Cancellation);
        _build.Write("local.txt", "local\n");
        _build.Write("Dockerfile",
            $"FROM scratch\nADD --chown=3:4 --chmod=0750 local.txt git://127.0.0.1:{daemon.Port}/repo.git#v1 /src/\n" +
            $"ADD --keep-git-dir --checksum={repository.SecondCommit} git://127.0.0.1:{daemon.Port}/repo.git /kept\n");
        var reference = _build.NewReference("addgit");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        var first = layers[0].ToDictionary(e => e.Name);
        Assert.Equal(((UnixFileMode)0x1E8, 3, 4), (first["src/README.md"].Mode, first["src/README.md"].Uid, first["src/README.md"].Gid));
        Assert.Equal((3, 4), (first["src/local.txt"].Uid, first["src/local.txt"].Gid));
        Assert.Equal(((UnixFileMode)0x1E8, 3, 4), (first["src/docs/"].Mode, first["src/docs/"].Uid, first["src/docs/"].Gid));
        Assert.DoesNotContain(layers[0], e => e.Name.Contains(".git", StringComparison.Ordinal));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("v1\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "src/README.md"), BuildHarness.Cancellation));
        Assert.Equal("guide\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "src/docs/guide.md"), BuildHarness.Cancellation));
        Assert.False(File.Exists(Path.Combine(rootfs, "src/docs/new.md")));
        Assert.False(Directory.Exists(Path.Combine(rootfs, "src/.git")));
        Assert.Equal("v2\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "kept/README.md"), BuildHarness.Cancellation));
        Assert.True(File.Exists(Path.Combine(rootfs, "kept/.git/HEAD")));
    }

    [Fact]
    public async Task A_checksum_that_is_not_the_commit_fails_at_its_line()
    {
        var git = TestRequirements.Executable("git");
        var repository = await CreateRepositoryAsync(git);
        using var daemon = await GitDaemon.StartAsync(git, repository.Root, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM scratch\nADD --checksum={repository.FirstCommit} git://127.0.0.1:{daemon.Port}/repo.git /src/\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.Equal(DiagnosticCodes.GitCommandFailed, error.Code);
        Assert.StartsWith("Dockerfile:2: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_warm_cached_build_reuses_the_checkout_layer_until_the_branch_moves()
    {
        var git = TestRequirements.Executable("git");
        var repository = await CreateRepositoryAsync(git);
        using var daemon = await GitDaemon.StartAsync(git, repository.Root, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM scratch\nADD git://127.0.0.1:{daemon.Port}/repo.git#main:docs /docs/\n");
        var request = _build.Request(_build.NewReference("addgit-cache")) with
        {
            CacheDirectory = _build.CacheDirectory,
            Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true },
        };

        var cold = await CacheLookupAsync(request);
        var warm = await CacheLookupAsync(request);
        var work = _build.Path("git-work");
        await File.WriteAllTextAsync(Path.Combine(work, "docs/guide.md"), "guide, revised\n", BuildHarness.Cancellation);
        await GitAsync(git, work, "commit", "--quiet", "-am", "third");
        await GitAsync(git, work, "push", "--quiet", Path.Combine(repository.Root, "repo.git"), "main");
        var moved = await CacheLookupAsync(request);

        Assert.False(cold.Hit);
        Assert.True(warm.Hit, "the same commit is the same layer, as BuildKit keys a git source by its commit");
        Assert.Equal(cold.Key, warm.Key);
        Assert.False(moved.Hit);
    }

    private async Task<LayerCacheLookupEvent> CacheLookupAsync(Kaniko.Engine.BuildRequest request)
    {
        _build.Events.Clear();
        await _build.BuildAsync(request);
        return Assert.Single(_build.Events.OfType<LayerCacheLookupEvent>());
    }

    private sealed record Repository(string Root, string FirstCommit, string SecondCommit);

    // repo.git: v1 (README.md "v1", docs/guide.md) tagged v1, then main moves on to README.md "v2" and docs/new.md.
    private async Task<Repository> CreateRepositoryAsync(string git)
    {
        var root = _build.Path("git");
        var bare = Path.Combine(root, "repo.git");
        var work = _build.Path("git-work");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(work, "docs"));
        await GitAsync(git, root, "init", "--quiet", "--bare", bare);
        await GitAsync(git, work, "init", "--quiet");
        await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "v1\n", BuildHarness.Cancellation);
        await File.WriteAllTextAsync(Path.Combine(work, "docs/guide.md"), "guide\n", BuildHarness.Cancellation);
        await GitAsync(git, work, "add", ".");
        await GitAsync(git, work, "commit", "--quiet", "-m", "first");
        await GitAsync(git, work, "tag", "v1");
        var first = (await GitAsync(git, work, "rev-parse", "HEAD")).Trim();
        await File.WriteAllTextAsync(Path.Combine(work, "README.md"), "v2\n", BuildHarness.Cancellation);
        await File.WriteAllTextAsync(Path.Combine(work, "docs/new.md"), "new\n", BuildHarness.Cancellation);
        await GitAsync(git, work, "add", ".");
        await GitAsync(git, work, "commit", "--quiet", "-m", "second");
        var second = (await GitAsync(git, work, "rev-parse", "HEAD")).Trim();
        await GitAsync(git, work, "push", "--quiet", "--tags", bare, "main");
        return new Repository(root, first, second);
    }

    private static Task<string> GitAsync(string git, string directory, params string[] arguments) =>
        TestGit.RunAsync(directory, BuildHarness.Cancellation, arguments);
}
