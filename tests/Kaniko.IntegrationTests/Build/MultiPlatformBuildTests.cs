using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// Several platforms in one build (<c>Platforms</c>): each planned and built from the base image of its platform,
/// pushed as one OCI image index, and read back with skopeo.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class MultiPlatformBuildTests(RegistryFixture registry) : IDisposable
{
    private static readonly string[] BothPlatforms = ["linux/amd64", "linux/arm64"];

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_multi_platform_base_gives_an_index_with_one_image_per_platform_on_the_right_base()
    {
        var busybox = await BaseImages.PushBusyboxMultiAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY app.txt /app/\n");
        _build.Write("app.txt", "hello\n");
        var reference = _build.NewReference("multi");
        var digestFile = _build.Path("digest");

        var result = await _build.BuildAsync(_build.Request(reference) with { Platforms = BothPlatforms, DigestFile = digestFile });

        var index = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        Assert.Equal(result.Digest.ToString(), await File.ReadAllTextAsync(digestFile, BuildHarness.Cancellation));
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(["amd64", "arm64"], entries.Select(e => e.GetProperty("platform").GetProperty("architecture").GetString()));
        Assert.All(entries, e => Assert.Equal("linux", e.GetProperty("platform").GetProperty("os").GetString()));
        Assert.Equal(result.Images.Select(i => i.Digest.ToString()), entries.Select(e => e.GetProperty("digest").GetString()));

        var bases = new[] { busybox.Amd64, busybox.Arm64 };
        for (var i = 0; i < 2; i++)
        {
            var child = ChildReference(reference, entries[i]);
            var config = await BuildHarness.ConfigAsync(child);
            Assert.Equal(bases[i].Architecture, config.GetProperty("architecture").GetString());
            var manifest = await BuildHarness.ManifestAsync(child);
            var layers = manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
            Assert.Equal(2, layers.Count);
            Assert.Equal(bases[i].LayerDigests[0], layers[0]);
        }

        // skopeo picks the arm64 entry itself when asked for that architecture.
        using var arm64 = await BuildHarness.SkopeoJsonAsync("inspect", "--tls-verify=false", "--override-arch", "arm64", "--config", "docker://" + reference);
        Assert.Equal("arm64", arm64.RootElement.GetProperty("architecture").GetString());
        Assert.NotEqual(busybox.Amd64.LayerDigests[0], busybox.Arm64.LayerDigests[0]);
    }

    [Fact]
    public async Task A_build_platform_stage_is_built_once_and_copied_into_each_target_platform()
    {
        var busybox = await BaseImages.PushBusyboxMultiAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM --platform=$BUILDPLATFORM {busybox.Reference} AS build
            COPY tool.txt /out/tool.txt

            FROM {busybox.Reference}
            COPY --from=build /out/ /opt/
            COPY --from=build /bin/busybox /opt/build-busybox
            """);
        _build.Write("tool.txt", "built once\n");
        var reference = _build.NewReference("buildplatform");

        await _build.BuildAsync(_build.Request(reference) with { Platforms = BothPlatforms, Reproducible = true });

        var reused = _build.Events.OfType<MessageEvent>().Count(e => e.Text.Contains("reused", StringComparison.Ordinal));
        Assert.Equal(1, reused);
        var index = await BuildHarness.ManifestAsync(reference);
        var manifests = new List<List<string?>>();
        foreach (var entry in index.GetProperty("manifests").EnumerateArray())
        {
            var manifest = await BuildHarness.ManifestAsync(ChildReference(reference, entry));
            manifests.Add(manifest.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList());
        }

        Assert.Equal(busybox.Amd64.LayerDigests[0], manifests[0][0]);
        Assert.Equal(busybox.Arm64.LayerDigests[0], manifests[1][0]);
        // The copied layers come from the one build-platform stage, so they are the same blobs in both images.
        Assert.Equal(manifests[0][1..], manifests[1][1..]);

        // The busybox copied from the build stage is the build machine's (amd64 here) in the arm64 image too.
        var arm64Layers = await _build.LayerEntriesAsync(ChildReference(reference, index.GetProperty("manifests")[1]));
        var copied = arm64Layers[2].Single(e => e.Name == "opt/build-busybox");
        Assert.NotNull(copied);
        var rootfs = await _build.UnpackAsync(ChildReference(reference, index.GetProperty("manifests")[1]));
        Assert.Equal(new FileInfo(BaseImages.BusyboxBinary).Length, new FileInfo(Path.Combine(rootfs, "opt/build-busybox")).Length);
        Assert.Equal("built once\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/tool.txt"), BuildHarness.Cancellation));
        Assert.NotEqual(new FileInfo(BaseImages.BusyboxBinary).Length, new FileInfo(Path.Combine(rootfs, "bin/busybox")).Length);
    }

    [Fact]
    public async Task Target_arch_in_a_copy_destination_gives_each_platform_its_own_file()
    {
        _build.Write("Dockerfile", "FROM scratch\nARG TARGETARCH\nARG TARGETPLATFORM\nCOPY app.txt /app-$TARGETARCH.txt\nLABEL platform=$TARGETPLATFORM\n");
        _build.Write("app.txt", "hello\n");
        var reference = _build.NewReference("targetarch");

        await _build.BuildAsync(_build.Request(reference) with { Platforms = ["linux/amd64,linux/arm64"] });

        var index = await BuildHarness.ManifestAsync(reference);
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        var expected = new[] { ("amd64", "linux/amd64"), ("arm64", "linux/arm64") };
        for (var i = 0; i < 2; i++)
        {
            var child = ChildReference(reference, entries[i]);
            var layers = await _build.LayerEntriesAsync(child);
            Assert.Equal(["app-" + expected[i].Item1 + ".txt"], layers.Single().Select(e => e.Name));
            var config = await BuildHarness.ConfigAsync(child);
            Assert.Equal(expected[i].Item1, config.GetProperty("architecture").GetString());
            Assert.Equal(expected[i].Item2, config.GetProperty("config").GetProperty("Labels").GetProperty("platform").GetString());
        }
    }

    [Fact]
    public async Task The_oci_layout_holds_the_index()
    {
        _build.Write("Dockerfile", "FROM scratch\nARG TARGETARCH\nCOPY app.txt /app-$TARGETARCH.txt\n");
        _build.Write("app.txt", "hello\n");
        var layout = _build.Path("layout");
        var reference = _build.NewReference("layout");

        var result = await _build.BuildAsync(_build.Request(reference) with
        {
            Platforms = BothPlatforms,
            NoPush = true,
            OciLayoutPath = layout,
        });

        using var indexJson = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "index.json"), BuildHarness.Cancellation));
        var entry = Assert.Single(indexJson.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("application/vnd.oci.image.index.v1+json", entry.GetProperty("mediaType").GetString());
        Assert.Equal(result.Digest.ToString(), entry.GetProperty("digest").GetString());

        using var raw = await BuildHarness.SkopeoJsonAsync("inspect", "--raw", $"oci:{layout}:v1");
        Assert.Equal(["amd64", "arm64"], raw.RootElement.GetProperty("manifests").EnumerateArray()
            .Select(m => m.GetProperty("platform").GetProperty("architecture").GetString()));
        using var arm64 = await BuildHarness.SkopeoJsonAsync("inspect", "--override-arch", "arm64", "--config", $"oci:{layout}:v1");
        Assert.Equal("arm64", arm64.RootElement.GetProperty("architecture").GetString());
    }

    [Fact]
    public async Task A_single_platform_base_is_used_for_every_platform_with_a_warning_for_the_others()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY app.txt /app/\n");
        _build.Write("app.txt", "hello\n");
        var reference = _build.NewReference("singlebase");

        var result = await _build.BuildAsync(_build.Request(reference) with { Platforms = BothPlatforms });

        var warning = Assert.Single(result.Warnings, w => w.Code == DiagnosticCodes.BaseImagePlatformMismatch);
        Assert.Equal($"Dockerfile:1: the base image {busybox.Reference} is for linux/amd64 only, not for linux/arm64; it is used as it is", warning.ToString());
        var index = await BuildHarness.ManifestAsync(reference);
        foreach (var entry in index.GetProperty("manifests").EnumerateArray())
        {
            var config = await BuildHarness.ConfigAsync(ChildReference(reference, entry));
            Assert.Equal("amd64", config.GetProperty("architecture").GetString());
        }
    }

    [Fact]
    public async Task Docker_bases_give_a_docker_manifest_list()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.DockerV2Reference}\nARG TARGETARCH\nCOPY app.txt /app-$TARGETARCH.txt\n");
        _build.Write("app.txt", "hello\n");
        var reference = _build.NewReference("manifestlist");

        var layout = _build.Path("layout");

        var result = await _build.BuildAsync(_build.Request(reference) with { Platforms = BothPlatforms, OciLayoutPath = layout });

        var list = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.docker.distribution.manifest.list.v2+json", list.GetProperty("mediaType").GetString());
        Assert.Equal("application/vnd.docker.distribution.manifest.list.v2+json", result.ManifestMediaType.ToString());
        Assert.All(list.GetProperty("manifests").EnumerateArray(),
            e => Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", e.GetProperty("mediaType").GetString()));

        // The OCI layout gets an OCI index of OCI manifests, which skopeo's oci: transport reads.
        using var index = await BuildHarness.SkopeoJsonAsync("inspect", "--raw", $"oci:{layout}:v1");
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.RootElement.GetProperty("mediaType").GetString());
        Assert.All(index.RootElement.GetProperty("manifests").EnumerateArray(),
            e => Assert.Equal("application/vnd.oci.image.manifest.v1+json", e.GetProperty("mediaType").GetString()));
        Assert.NotEqual(result.Digest, result.OciLayoutDigest);
        using var amd64 = await BuildHarness.SkopeoJsonAsync("inspect", "--override-arch", "amd64", $"oci:{layout}:v1");
        Assert.Equal(2, amd64.RootElement.GetProperty("Layers").GetArrayLength());
    }

    [Fact]
    public async Task A_build_platform_stage_that_reads_the_target_arch_is_built_per_platform()
    {
        _build.Write("Dockerfile", """
            FROM --platform=$BUILDPLATFORM scratch AS build
            ARG TARGETARCH
            COPY app.txt /out/app-$TARGETARCH.txt

            FROM scratch
            COPY --from=build /out/ /
            """);
        _build.Write("app.txt", "hello\n");
        var layout = _build.Path("layout");

        await _build.BuildAsync(_build.Request() with { Platforms = BothPlatforms, NoPush = true, OciLayoutPath = layout });

        Assert.DoesNotContain(_build.Events.OfType<MessageEvent>(), e => e.Text.Contains("reused", StringComparison.Ordinal));
        using var index = await BuildHarness.SkopeoJsonAsync("inspect", "--raw", $"oci:{layout}");
        Assert.Equal(2, index.RootElement.GetProperty("manifests").GetArrayLength());
    }

    private static string ChildReference(string reference, JsonElement entry)
    {
        var repository = reference[..reference.LastIndexOf(':')];
        return repository + "@" + entry.GetProperty("digest").GetString();
    }
}
