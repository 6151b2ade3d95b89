using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Outputs;

/// <summary>
/// <c>--image-format</c> and the OCI layout's media types, on the Docker v2 schema 2 copy of busybox: what the
/// registry holds and what skopeo's <c>oci:</c> transport and umoci open from the layout.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class ImageFormatBuildTests(RegistryFixture registry) : IDisposable
{
    private const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    private const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    private const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    private const string OciConfig = "application/vnd.oci.image.config.v1+json";
    private const string OciLayer = "application/vnd.oci.image.layer.v1.tar+gzip";

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Without_a_format_the_push_keeps_docker_and_the_layout_gets_oci_that_skopeo_and_umoci_open()
    {
        var reference = await WriteContextAsync(dockerBase: true, "layout-default");
        var layout = _build.Path("layout");

        var result = await _build.BuildAsync(_build.Request(reference) with { OciLayoutPath = layout });

        AssertMediaTypes(await BuildHarness.ManifestAsync(reference), DockerManifest, DockerConfig, DockerLayer);
        var layoutManifest = await RawLayoutManifestAsync(layout);
        AssertMediaTypes(layoutManifest, OciManifest, OciConfig, OciLayer);
        Assert.NotNull(result.OciLayoutDigest);
        Assert.NotEqual(result.Digest, result.OciLayoutDigest);
        using var inspect = await BuildHarness.SkopeoJsonAsync("inspect", "oci:" + layout + ":v1");
        Assert.Equal(result.OciLayoutDigest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());

        // Same config and layer blobs under the other family's names: only the manifest (and its digest) differs.
        var pushed = await BuildHarness.ManifestAsync(reference);
        Assert.Equal(Digests(pushed), Digests(layoutManifest));
        await AssertUnpacksAsync(layout);
    }

    [Fact]
    public async Task Oci_format_converts_a_docker_base_everywhere_and_keeps_the_healthcheck()
    {
        var reference = await WriteContextAsync(dockerBase: true, "format-oci");
        var layout = _build.Path("layout");

        var result = await _build.BuildAsync(_build.Request(reference) with { OciLayoutPath = layout, ImageFormat = ImageFormat.Oci });

        AssertMediaTypes(await BuildHarness.ManifestAsync(reference), OciManifest, OciConfig, OciLayer);
        Assert.Equal(OciManifest, result.ManifestMediaType.ToString());
        Assert.Equal(result.Digest, result.OciLayoutDigest);
        // The raw config (skopeo's parsed view follows the OCI struct, which has no Healthcheck).
        using var raw = await BuildHarness.SkopeoJsonAsync("inspect", "--tls-verify=false", "--config", "--raw", "docker://" + reference);
        Assert.Equal(["CMD-SHELL", "true"], raw.RootElement.GetProperty("config").GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()));
        using var inspect = await BuildHarness.SkopeoJsonAsync("inspect", "oci:" + layout + ":v1");
        Assert.Equal(result.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        await AssertUnpacksAsync(layout);
    }

    [Fact]
    public async Task Docker_format_converts_an_oci_base_and_the_layout_too()
    {
        var reference = await WriteContextAsync(dockerBase: false, "format-docker");
        var layout = _build.Path("layout");

        var result = await _build.BuildAsync(_build.Request(reference) with { OciLayoutPath = layout, ImageFormat = ImageFormat.Docker });

        AssertMediaTypes(await BuildHarness.ManifestAsync(reference), DockerManifest, DockerConfig, DockerLayer);
        AssertMediaTypes(await RawLayoutManifestAsync(layout), DockerManifest, DockerConfig, DockerLayer);
        Assert.Equal(result.Digest, result.OciLayoutDigest);
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("app\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "app.txt"), BuildHarness.Cancellation));
    }

    private async Task<string> WriteContextAsync(bool dockerBase, string name)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        var from = dockerBase ? busybox.DockerV2Reference : busybox.Reference;
        _build.Write("Dockerfile", $"FROM {from}\nCOPY app.txt /\nHEALTHCHECK CMD true\n");
        _build.Write("app.txt", "app\n");
        return _build.NewReference(name);
    }

    private static void AssertMediaTypes(JsonElement manifest, string manifestType, string configType, string layerType)
    {
        Assert.Equal(manifestType, manifest.GetProperty("mediaType").GetString());
        Assert.Equal(configType, manifest.GetProperty("config").GetProperty("mediaType").GetString());
        Assert.All(manifest.GetProperty("layers").EnumerateArray(), l => Assert.Equal(layerType, l.GetProperty("mediaType").GetString()));
    }

    private static string[] Digests(JsonElement manifest) =>
        [manifest.GetProperty("config").GetProperty("digest").GetString()!, .. manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!)];

    // The layout's manifest, read from its files (skopeo's oci: transport would skip a Docker one).
    private static async Task<JsonElement> RawLayoutManifestAsync(string layout)
    {
        using var index = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "index.json"), BuildHarness.Cancellation));
        var digest = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray()).GetProperty("digest").GetString()!;
        var blob = Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(blob, BuildHarness.Cancellation));
        return manifest.RootElement.Clone();
    }

    private async Task AssertUnpacksAsync(string layout)
    {
        var rootfs = await Umoci.UnpackAsync(layout, "v1", _build.Path("bundle"), BuildHarness.Cancellation);
        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin", "sh")).LinkTarget);
        Assert.Equal("app\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "app.txt"), BuildHarness.Cancellation));
    }
}
