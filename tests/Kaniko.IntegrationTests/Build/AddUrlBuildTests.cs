using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary><c>ADD</c> of URLs (served on 127.0.0.1) next to context files, with <c>--chown</c>, <c>--chmod</c> and <c>--checksum</c>.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class AddUrlBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    private static RawHttpServer Serve() => new(request => request.Path switch
    {
        "/files/tool.sh" => Respond.Text(200, "#!/bin/sh\necho tool\n"),
        "/files/data.json" => Respond.Text(200, "{}\n"),
        _ => Respond.Text(404, "not found"),
    });

    [Fact]
    public async Task Urls_and_context_files_land_in_one_layer_with_the_copy_owner_and_mode()
    {
        await using var server = Serve();
        _build.Write("local.txt", "local\n");
        _build.Write("Dockerfile", $"FROM scratch\nADD --chown=7:8 --chmod=0750 {server.BaseUrl}/files/tool.sh local.txt /opt/bin/\nADD {server.BaseUrl}/files/data.json /etc/data.json\n");
        var reference = _build.NewReference("addurl");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        var first = layers[0].ToDictionary(e => e.Name);
        Assert.Equal(((UnixFileMode)0x1E8, 7, 8), (first["opt/bin/tool.sh"].Mode, first["opt/bin/tool.sh"].Uid, first["opt/bin/tool.sh"].Gid));
        Assert.Equal((7, 8), (first["opt/bin/local.txt"].Uid, first["opt/bin/local.txt"].Gid));
        var data = Assert.Single(layers[1], e => e.Name == "etc/data.json");
        Assert.Equal(((UnixFileMode)0x180, 0, 0), (data.Mode, data.Uid, data.Gid)); // BuildKit's 0600 for downloads
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("#!/bin/sh\necho tool\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/bin/tool.sh"), BuildHarness.Cancellation));
        Assert.Equal("{}\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "etc/data.json"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_warm_cached_build_reuses_the_download_layer_while_the_content_is_unchanged()
    {
        var content = "version 1\n";
        await using var server = new RawHttpServer(request => request.Path == "/files/release.txt"
            ? Respond.Text(200, content)
            : Respond.Text(404, "not found"));
        _build.Write("Dockerfile", $"FROM scratch\nADD {server.BaseUrl}/files/release.txt /opt/\n");
        var request = _build.Request(_build.NewReference("addurl-cache")) with
        {
            CacheDirectory = _build.CacheDirectory,
            Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true },
        };

        var cold = await CacheLookupAsync(request);
        var warm = await CacheLookupAsync(request);
        content = "version 2\n";
        var changed = await CacheLookupAsync(request);

        Assert.False(cold.Hit);
        Assert.True(warm.Hit, "the same download is the same layer, as BuildKit keys an HTTP source by its content");
        Assert.Equal(cold.Key, warm.Key);
        Assert.False(changed.Hit);
        var rootfs = await _build.UnpackAsync(request.Destinations[0]);
        Assert.Equal("version 2\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/release.txt"), BuildHarness.Cancellation));
    }

    [Theory]
    [InlineData("ADD --checksum={0} local.txt /data.txt", "AddChecksumNeedsRemoteSource")]
    [InlineData("ADD --checksum={0} {1}/files/data.json local.txt /data/", "AddChecksumSeveralSources")]
    public async Task A_checksum_needs_one_remote_source(string line, string code)
    {
        await using var server = Serve();
        _build.Write("local.txt", "local\n");
        var checksum = "sha256:" + new string('0', 64);
        _build.Write("Dockerfile", "FROM scratch\n" + string.Format(System.Globalization.CultureInfo.InvariantCulture, line, checksum, server.BaseUrl) + "\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.Equal(code, error.Code == DiagnosticCodes.AddChecksumNeedsRemoteSource ? "AddChecksumNeedsRemoteSource"
            : error.Code == DiagnosticCodes.AddChecksumSeveralSources ? "AddChecksumSeveralSources" : error.Code.ToString());
        Assert.StartsWith("Dockerfile:2: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.CountRequests("GET", "/files/"));
    }

    private async Task<LayerCacheLookupEvent> CacheLookupAsync(Kaniko.Engine.BuildRequest request)
    {
        _build.Events.Clear();
        await _build.BuildAsync(request);
        return Assert.Single(_build.Events.OfType<LayerCacheLookupEvent>());
    }

    [Fact]
    public async Task A_wrong_checksum_fails_at_its_line()
    {
        await using var server = Serve();
        var wrong = "sha256:" + new string('0', 64);
        _build.Write("Dockerfile", $"FROM scratch\nADD --checksum={wrong} {server.BaseUrl}/files/data.json /data.json\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.Equal(DiagnosticCodes.HttpSourceChecksumMismatch, error.Code);
        Assert.StartsWith("Dockerfile:2: ", error.Message, StringComparison.Ordinal);
    }
}
