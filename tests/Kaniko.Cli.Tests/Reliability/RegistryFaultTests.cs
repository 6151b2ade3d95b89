using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// Faults a real registry does not show on demand, injected by a loopback proxy in front of one: each ends with a
/// KANIKO code naming the registry and the registry exit code (4), is retried when it passes, and never hangs or
/// reaches the "internal error" of exit 70.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RegistryFaultTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly ReliabilityScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task Resets_while_fetching_the_manifest_are_retried()
    {
        var resets = 0;
        await using var proxy = new FaultProxy(registry.BaseAddress.Port, (method, target) =>
            target.Contains("/manifests/", StringComparison.Ordinal) && Interlocked.Increment(ref resets) <= 2 ? ProxyFault.Reset : ProxyFault.None);
        await UseBaseThroughAsync(proxy);

        var (exitCode, output, error) = await CliChild.RunAsync(_scratch.TarballBuild("--insecure-registry", proxy.Host), _scratch.Environment);

        Assert.True(exitCode == 0, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Equal(2, proxy.Faults);
    }

    [Fact]
    public async Task A_registry_that_always_resets_fails_with_its_code_and_name()
    {
        await using var proxy = new FaultProxy(registry.BaseAddress.Port, (_, target) =>
            target.Contains("/manifests/", StringComparison.Ordinal) ? ProxyFault.Reset : ProxyFault.None);
        await UseBaseThroughAsync(proxy);

        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.TarballBuild("--insecure-registry", proxy.Host, "--image-download-retry", "1"), _scratch.Environment);

        Assert.True(exitCode == 4, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains(proxy.Host, output + error, StringComparison.Ordinal);
        Assert.Matches(@"\[KANIKO3\d{3}\]", output + error);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stalled_upload_is_retried_then_fails_naming_the_stall()
    {
        await using var proxy = new FaultProxy(registry.BaseAddress.Port, (method, target) =>
            method is "PUT" or "PATCH" && target.Contains("/blobs/uploads/", StringComparison.Ordinal) ? ProxyFault.StallRequest : ProxyFault.None);
        _scratch.WriteRandomFile("big", 24 << 20);
        _scratch.WriteDockerfile("FROM scratch\nCOPY big /big\n");

        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.BuildArguments("--destination", proxy.Host + "/stalled:1", "--insecure", "--push-retry", "1", "--transfer-stall-timeout", "2s"),
            _scratch.Environment);

        Assert.True(exitCode == 4, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains("moved no data for 2 seconds", output + error, StringComparison.Ordinal);
        Assert.True(proxy.Faults >= 2, $"the stalled upload was not tried again ({proxy.Faults} stalls)");
    }

    [Fact]
    public async Task A_stalled_download_fails_naming_the_blob()
    {
        await using var proxy = new FaultProxy(registry.BaseAddress.Port, (method, target) =>
            method == "GET" && target.Contains("/blobs/sha256:", StringComparison.Ordinal) ? ProxyFault.StallResponse : ProxyFault.None);
        await UseBaseThroughAsync(proxy);

        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.TarballBuild("--insecure-registry", proxy.Host, "--transfer-stall-timeout", "2s"), _scratch.Environment);

        Assert.True(exitCode == 4, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains("no data moved for 2 s", output + error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO3211]", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_cache_disk_fails_with_its_code_and_path()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        _scratch.WriteDockerfile($"FROM {pushed.Reference}\nCOPY Dockerfile /\n");

        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.TarballBuild("--insecure-registry", registry.Host), _scratch.Environment, SmallDisk.Wrapper(_scratch.Cache, "64k"));

        Assert.True(exitCode == 1, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains("[KANIKO0003]", output + error, StringComparison.Ordinal);
        Assert.Contains(_scratch.Cache, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    private async Task UseBaseThroughAsync(FaultProxy proxy)
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        _scratch.WriteDockerfile($"FROM {pushed.Reference.Replace(registry.Host, proxy.Host, StringComparison.Ordinal)}\nCOPY Dockerfile /\n");
    }
}
