using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests;

[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class BusyboxBaseImageTests(RegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pushed_image_is_what_skopeo_inspect_sees()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, Cancellation);

        using var inspect = await SkopeoInspectAsync(pushed.Reference);

        Assert.Equal(registry.Host + "/busybox:latest", pushed.Reference);
        Assert.Equal(pushed.Layout.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal("linux", inspect.RootElement.GetProperty("Os").GetString());
        Assert.Equal(pushed.Layout.LayerDigests, Layers(inspect));
        Assert.Single(pushed.Layout.LayerDigests);
    }

    [Fact]
    public async Task Docker_v2_copy_keeps_the_layer_under_another_manifest()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, Cancellation);

        using var inspect = await SkopeoInspectAsync(pushed.DockerV2Reference);
        using var raw = await SkopeoInspectAsync(pushed.DockerV2Reference, "--raw");

        Assert.Equal(
            "application/vnd.docker.distribution.manifest.v2+json",
            raw.RootElement.GetProperty("mediaType").GetString());
        Assert.NotEqual(pushed.Layout.ManifestDigest, inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal(pushed.Layout.LayerDigests, Layers(inspect));
    }

    [Fact]
    public async Task Umoci_unpacks_the_cached_layout_with_sh_linked_to_busybox()
    {
        var umoci = TestRequirements.Executable("umoci");
        var layout = await BaseImages.BusyboxLayoutAsync(Cancellation);
        using var work = new TempDirectory();
        var bundle = work.Combine("bundle");
        List<string> arguments = ["unpack", "--image", layout.TransportReference[4..]];
        if (!Environment.IsPrivilegedProcess)
        {
            arguments.Add("--rootless");
        }

        arguments.Add(bundle);

        await ExternalTools.RunCheckedAsync(umoci, arguments, cancellationToken: Cancellation);

        var sh = new FileInfo(Path.Combine(bundle, "rootfs", "bin", "sh"));
        Assert.Equal("busybox", sh.LinkTarget);
        Assert.True(File.Exists(Path.Combine(bundle, "rootfs", "bin", "busybox")));
        Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(Path.Combine(bundle, "rootfs", "tmp")));
        Assert.Contains("nobody:x:65534:", await File.ReadAllTextAsync(Path.Combine(bundle, "rootfs", "etc", "passwd"), Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busybox_layout_is_reproducible()
    {
        using var work = new TempDirectory();

        var first = await BaseImages.WriteBusyboxLayoutAsync(work.Combine("first"), Cancellation);
        var second = await BaseImages.WriteBusyboxLayoutAsync(work.Combine("second"), Cancellation);
        var cached = await BaseImages.BusyboxLayoutAsync(Cancellation);

        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        Assert.Equal(first.ManifestDigest, cached.ManifestDigest);
        Assert.Equal(first.DiffIds, cached.DiffIds);
    }

    [Fact]
    public async Task Busybox_layer_is_sorted_owned_by_root_and_dated_2024()
    {
        var layout = await BaseImages.BusyboxLayoutAsync(Cancellation);
        var applets = (await ExternalTools.RunCheckedAsync(BaseImages.BusyboxBinary, ["--list"], cancellationToken: Cancellation))
            .StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(a => a != "busybox");

        var entries = ReproducibleLayer.ReadEntries(OciLayoutWriter.BlobPath(layout.Directory, layout.LayerDigests[0]));

        Assert.Equal(entries.Select(e => e.Name).Order(StringComparer.Ordinal), entries.Select(e => e.Name));
        Assert.All(entries, e => Assert.Equal((0, 0, ReproducibleLayer.ModificationTime), (e.Uid, e.Gid, e.ModificationTime)));
        Assert.Equal(applets, entries.Count(e => e.EntryType == TarEntryType.SymbolicLink));
        Assert.Contains(entries, e => e is { Name: "bin/sh", LinkName: "busybox" });
        Assert.Contains(entries, e => e is { Name: "tmp/", EntryType: TarEntryType.Directory } && e.Mode == (UnixFileMode)0x3FF);
        Assert.DoesNotContain(entries, e => e.Name.StartsWith("./", StringComparison.Ordinal) || e.Name.StartsWith('/'));
    }

    private static List<string> Layers(JsonDocument inspect) =>
        inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();

    private static async Task<JsonDocument> SkopeoInspectAsync(string reference, params string[] extra)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        string[] arguments = ["--policy", BaseImages.SkopeoPolicyPath(), "inspect", "--tls-verify=false", .. extra, "docker://" + reference];
        var result = await ExternalTools.RunCheckedAsync(skopeo, arguments, cancellationToken: Cancellation);
        return JsonDocument.Parse(result.StandardOutput);
    }
}
