using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// Signals sent to the real CLI process while it pulls a base image whose download a proxy holds still: SIGINT and
/// SIGTERM end it with 130/143 and nothing left in TMPDIR or the cache's incoming/; after SIGKILL, which nothing can
/// catch, the next build removes what the killed one left.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SignalAndLeftoverTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly ReliabilityScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_cancels_the_build_and_removes_its_work_folders(string signal, int expectedExitCode)
    {
        await using var proxy = await StalledBaseAsync();
        using var child = CliChild.Start(_scratch.TarballBuild("--insecure-registry", proxy.Host), _scratch.Environment);
        Assert.True(await child.WaitUntilAsync(() => proxy.Faults > 0 && _scratch.WorkFolders().Count > 0),
            $"the build never reached the stalled download:\n{child.Output}\n{child.Error}");

        await child.SignalAsync(signal);
        var exitCode = await child.WaitAsync();

        Assert.True(exitCode == expectedExitCode, $"exit {exitCode}:\n{child.Output}\n{child.Error}");
        Assert.DoesNotContain("internal error", child.Error, StringComparison.Ordinal);
        Assert.Empty(_scratch.WorkFolders());
        Assert.Empty(_scratch.IncomingFiles());
    }

    [Fact]
    public async Task A_second_SIGINT_ends_the_process_at_once()
    {
        await using var proxy = await StalledBaseAsync();
        using var child = CliChild.Start(_scratch.TarballBuild("--insecure-registry", proxy.Host), _scratch.Environment);
        Assert.True(await child.WaitUntilAsync(() => proxy.Faults > 0 && _scratch.WorkFolders().Count > 0), child.Error);

        await child.SignalAsync("INT");
        await child.SignalAsync("INT");
        var exitCode = await child.WaitAsync();

        Assert.NotNull(exitCode);
        Assert.NotEqual(70, exitCode);
    }

    [Fact]
    public async Task The_next_build_removes_what_a_SIGKILLed_build_left()
    {
        await KillBuildMidDownloadAsync();

        var leftFolders = _scratch.WorkFolders().Count;
        var leftPartials = _scratch.IncomingFiles().Count;
        Assert.True(leftFolders > 0 && leftPartials > 0, "SIGKILL leaves its folders: nothing to clean up, the test proves nothing");

        _scratch.WriteDockerfile("FROM scratch\nCOPY Dockerfile /\n");
        var (exitCode, output, error) = await CliChild.RunAsync(_scratch.TarballBuild(), _scratch.Environment);

        Assert.True(exitCode == 0, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Empty(_scratch.WorkFolders());
        Assert.Empty(_scratch.IncomingFiles());
        Assert.Contains("leftover", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_prune_removes_what_a_SIGKILLed_build_left()
    {
        await KillBuildMidDownloadAsync();

        var (exitCode, output, error) = await CliChild.RunAsync(["cache", "prune", "--cache-dir", _scratch.Cache], _scratch.Environment);

        Assert.True(exitCode == 0, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Empty(_scratch.WorkFolders());
        Assert.Empty(_scratch.IncomingFiles());
        Assert.Contains("removed 2 leftover(s)", output, StringComparison.Ordinal);
    }

    // Starts a build whose base download stalls, and SIGKILLs it once it has written part of the blob.
    private async Task KillBuildMidDownloadAsync()
    {
        await using var proxy = await StalledBaseAsync();
        using var killed = CliChild.Start(_scratch.TarballBuild("--insecure-registry", proxy.Host), _scratch.Environment);
        Assert.True(await killed.WaitUntilAsync(() => _scratch.IncomingFiles().Any(f => new FileInfo(f).Length > 0) && _scratch.WorkFolders().Count > 0),
            $"the build never wrote a partial blob:\n{killed.Output}\n{killed.Error}");
        await killed.SignalAsync("KILL");
        await killed.WaitAsync();
    }

    // A proxy in front of the registry that forwards the first 256 KiB of each blob download, then nothing.
    private async Task<FaultProxy> StalledBaseAsync()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        var proxy = new FaultProxy(registry.BaseAddress.Port, (method, target) =>
            method == "GET" && target.Contains("/blobs/sha256:", StringComparison.Ordinal) ? ProxyFault.StallResponse : ProxyFault.None);
        _scratch.WriteDockerfile($"FROM {pushed.Reference.Replace(registry.Host, proxy.Host, StringComparison.Ordinal)}\nRUN true\n");
        return proxy;
    }
}
