using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Outputs;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Outputs;

/// <summary>
/// Images written by our outputs, read back by independent tools: <c>umoci</c> unpacks OCI layouts into a root
/// filesystem, <c>skopeo</c> inspects and converts layouts and <c>docker load</c> tarballs.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class OutputToolTests : IDisposable
{
    private const string Tag = "1.0";
    private static readonly DateTimeOffset Created = new(2025, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task Scratch_image_in_an_oci_layout_unpacks_with_modes_links_and_whiteouts_applied(object compression)
    {
        // The engine's enums are internal: a public test method takes them as object.
        var image = await ScratchImageAsync((LayerCompression)compression);
        var layout = _work.Combine("layout");

        await new OciLayoutDestination(layout, Tag).WriteAsync(image, Cancellation);

        using var inspect = await SkopeoJsonAsync("inspect", "oci:" + layout + ":" + Tag);
        Assert.Equal(image.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest.ToString()), Layers(inspect));
        Assert.Equal("test", inspect.RootElement.GetProperty("Labels").GetProperty("suite").GetString());

        var unpackable = layout;
        if ((LayerCompression)compression == LayerCompression.Zstd)
        {
            // This umoci reads gzip layers only: skopeo decompresses the zstd layers and recompresses them with gzip.
            unpackable = _work.Combine("gzip-layout");
            await SkopeoAsync(
                "copy", "--quiet", "--dest-compress", "--dest-compress-format", "gzip", "oci:" + layout + ":" + Tag, "oci:" + unpackable + ":" + Tag);
        }

        AssertScratchTree(await UmociUnpackAsync(unpackable, Tag));
    }

    [Fact]
    public async Task Busybox_based_image_in_an_oci_layout_keeps_the_base_and_adds_a_layer()
    {
        var busybox = await BaseImages.BusyboxLayoutAsync(Cancellation);
        var baseImage = await LayoutImage.LoadAsync(busybox.Directory, busybox.Tag, Cancellation);
        var layer = await new LayerWriter().WriteAsync(
            [LayerEntry.Directory("srv"), LayerEntry.File("srv/index.html", Encoding.ASCII.GetBytes("<h1>hi</h1>\n"))], _work.Combine("layers"), Cancellation);
        var image = new ImageBuilder(baseImage)
            .AppendLayer(layer, "COPY index.html /srv/")
            .WithConfig(c => c with { Cmd = ["httpd", "-f", "-h", "/srv"] })
            .WithCreated(Created)
            .Build();
        var layout = _work.Combine("layout");

        await new OciLayoutDestination(layout, Tag).WriteAsync(image, Cancellation);

        using var inspect = await SkopeoJsonAsync("inspect", "oci:" + layout + ":" + Tag);
        Assert.Equal(image.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal([.. busybox.LayerDigests, layer.Digest.ToString()], Layers(inspect));
        Assert.Equal("2025-02-03T04:05:06Z", inspect.RootElement.GetProperty("Created").GetString());
        var rootfs = await UmociUnpackAsync(layout, Tag);
        Assert.Equal("busybox", new FileInfo(Path.Combine(rootfs, "bin", "sh")).LinkTarget);
        Assert.Equal("<h1>hi</h1>\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "srv", "index.html"), Cancellation));
        Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(Path.Combine(rootfs, "tmp")));
    }

    [Theory]
    [InlineData(TarballLayout.Oci)]
    [InlineData(TarballLayout.Classic)]
    public async Task Tarball_is_a_docker_archive_that_skopeo_reads_and_converts(object layout)
    {
        var tarballLayout = (TarballLayout)layout;
        var image = await ScratchImageAsync();
        var tarball = _work.Combine("image.tar");

        await new TarballDestination(tarball, [ImageReference.Parse("127.0.0.1:5000/tests/app:" + Tag)], tarballLayout).WriteAsync(image, Cancellation);

        using var inspect = await SkopeoJsonAsync("inspect", "docker-archive:" + tarball);
        Assert.Equal("linux", inspect.RootElement.GetProperty("Os").GetString());
        Assert.Equal("amd64", inspect.RootElement.GetProperty("Architecture").GetString());
        Assert.Equal("test", inspect.RootElement.GetProperty("Labels").GetProperty("suite").GetString());
        Assert.Equal(image.Layers.Count, Layers(inspect).Count);
        using var config = await SkopeoJsonAsync("inspect", "--config", "--raw", "docker-archive:" + tarball);
        Assert.Equal(
            image.Config.Value.RootFs.DiffIds.Select(d => d.ToString()),
            config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));

        var converted = _work.Combine("converted");
        await SkopeoAsync("copy", "--quiet", "docker-archive:" + tarball, "oci:" + converted + ":" + Tag);
        var rootfs = await UmociUnpackAsync(converted, Tag);
        AssertScratchTree(rootfs);
    }

    [Theory]
    [InlineData(TarballLayout.Oci, ImageFormat.Oci)]
    [InlineData(TarballLayout.Classic, ImageFormat.Docker)]
    public async Task Podman_loads_the_tarball_under_its_tag(object layout, object imageFormat)
    {
        var (tarballLayout, format) = ((TarballLayout)layout, (ImageFormat)imageFormat);
        var podman = TestRequirements.Executable("podman");
        var image = await ScratchImageAsync(format: format);
        var tarball = _work.Combine("image.tar");
        const string Name = "127.0.0.1:5000/tests/app:" + Tag;
        await new TarballDestination(tarball, [ImageReference.Parse(Name)], tarballLayout).WriteAsync(image, Cancellation);

        // A private store in the test's folder: no daemon, no system storage, nothing left behind.
        string[] store =
        [
            "--root", _work.Combine("podman", "root"), "--runroot", _work.Combine("podman", "run"),
            "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs",
        ];
        await ExternalTools.RunCheckedAsync(podman, [.. store, "load", "--quiet", "--input", tarball], cancellationToken: Cancellation);
        var inspect = await ExternalTools.RunCheckedAsync(podman, [.. store, "image", "inspect", Name], cancellationToken: Cancellation);

        using var json = JsonDocument.Parse(inspect.StandardOutput);
        var loaded = json.RootElement[0];
        Assert.Equal(image.Config.Digest.Encoded, loaded.GetProperty("Id").GetString());
        Assert.Contains(Name, loaded.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(
            image.Config.Value.RootFs.DiffIds.Select(d => d.ToString()),
            loaded.GetProperty("RootFS").GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task Docker_format_image_is_read_from_a_layout_and_a_tarball()
    {
        var image = await ScratchImageAsync(format: ImageFormat.Docker);
        var layout = _work.Combine("layout");
        var tarball = _work.Combine("image.tar");

        await new OciLayoutDestination(layout, Tag).WriteAsync(image, Cancellation);
        await new TarballDestination(tarball, [ImageReference.Parse("127.0.0.1:5000/tests/app:" + Tag)]).WriteAsync(image, Cancellation);

        // The layout lists the Docker manifest as it is (its digest is the pushed image's, as with kaniko); skopeo and
        // umoci look only at OCI manifests in layouts, so the layout is checked by reading it back.
        var loaded = await LayoutImage.LoadAsync(layout, Tag, Cancellation);
        Assert.Equal(image.Manifest.Bytes.ToArray(), loaded.Manifest.Bytes.ToArray());
        Assert.Equal(MediaType.DockerManifest, loaded.Manifest.Value.MediaType);
        using var archive = await SkopeoJsonAsync("inspect", "docker-archive:" + tarball);
        Assert.Equal("test", archive.RootElement.GetProperty("Labels").GetProperty("suite").GetString());
        var converted = _work.Combine("converted");
        await SkopeoAsync("copy", "--quiet", "--format", "oci", "docker-archive:" + tarball, "oci:" + converted + ":" + Tag);
        AssertScratchTree(await UmociUnpackAsync(converted, Tag));
    }

    [Fact]
    public async Task Docker_25_tarball_is_also_an_oci_archive_with_the_same_manifest()
    {
        var image = await ScratchImageAsync();
        var tarball = _work.Combine("image.tar");

        await new TarballDestination(tarball, [ImageReference.Parse("127.0.0.1:5000/tests/app:" + Tag)]).WriteAsync(image, Cancellation);

        using var inspect = await SkopeoJsonAsync("inspect", "oci-archive:" + tarball + ":" + Tag);
        Assert.Equal(image.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers.Select(l => l.Digest.ToString()), Layers(inspect));
    }

    [Fact]
    public async Task Digest_files_name_the_digest_skopeo_sees_in_the_layout()
    {
        var image = await ScratchImageAsync();
        var layout = _work.Combine("layout");
        await new OciLayoutDestination(layout, Tag).WriteAsync(image, Cancellation);
        ImageReference[] destinations = [ImageReference.Parse("127.0.0.1:5000/tests/app:" + Tag)];

        await DigestFileWriter.WriteDigestAsync(_work.Combine("digest"), image.Digest, Cancellation);
        await DigestFileWriter.WriteImageNameWithDigestAsync(_work.Combine("name-digest"), destinations, image.Digest, Cancellation);
        await DigestFileWriter.WriteImageNameTagWithDigestAsync(_work.Combine("name-tag-digest"), destinations, image.Digest, Cancellation);

        using var inspect = await SkopeoJsonAsync("inspect", "oci:" + layout + ":" + Tag);
        var digest = inspect.RootElement.GetProperty("Digest").GetString();
        Assert.Equal(digest, await File.ReadAllTextAsync(_work.Combine("digest"), Cancellation));
        Assert.Equal($"127.0.0.1:5000/tests/app@{digest}\n", await File.ReadAllTextAsync(_work.Combine("name-digest"), Cancellation));
        Assert.Equal($"127.0.0.1:5000/tests/app:{Tag}@{digest}\n", await File.ReadAllTextAsync(_work.Combine("name-tag-digest"), Cancellation));
    }

    /// <summary>
    /// Two layers: the first makes a small tree (modes, a sticky directory, a symbolic link, a hard link), the second
    /// deletes one file with a whiteout and empties a directory with an opaque whiteout.
    /// </summary>
    private async Task<MutatedImage> ScratchImageAsync(LayerCompression compression = LayerCompression.Gzip, ImageFormat format = ImageFormat.Oci)
    {
        var writer = new LayerWriter(new LayerWriterOptions { Compression = compression });
        var first = await writer.WriteAsync(
        [
            LayerEntry.Directory("data", (UnixFileMode)0x1E8), // 0750
            LayerEntry.File("data/keep", Encoding.ASCII.GetBytes("keep\n"), (UnixFileMode)0x180), // 0600
            LayerEntry.File("data/gone", Encoding.ASCII.GetBytes("gone\n")),
            LayerEntry.HardLink("data/keep-again", "data/keep", (UnixFileMode)0x180),
            LayerEntry.SymbolicLink("data/link", "keep"),
            LayerEntry.Directory("scratch", (UnixFileMode)0x3FF), // 1777
            LayerEntry.Directory("opaque"),
            LayerEntry.File("opaque/old", Encoding.ASCII.GetBytes("old\n")),
            LayerEntry.File("bin/tool", Encoding.ASCII.GetBytes("#!/bin/sh\necho tool\n"), (UnixFileMode)0x1ED),
        ], _work.Combine("layers"), Cancellation);
        var second = await writer.WriteAsync(
        [
            LayerEntry.Whiteout("data/gone"),
            LayerEntry.OpaqueWhiteout("opaque"),
            LayerEntry.Directory("opaque"),
            LayerEntry.File("opaque/new", Encoding.ASCII.GetBytes("new\n")),
        ], _work.Combine("layers"), Cancellation);
        return ImageBuilder.FromScratch(Platform.Parse("linux/amd64"), format)
            .AppendLayer(first, "COPY . /")
            .AppendLayer(second, "RUN rm /data/gone && rm -r /opaque/* && echo new > /opaque/new")
            .WithConfig(c => c with { Cmd = ["/bin/tool"] })
            .WithLabel("suite", "test")
            .WithCreated(Created)
            .Build();
    }

    private static void AssertScratchTree(string rootfs)
    {
        string At(string path) => Path.Combine(rootfs, path);
        Assert.Equal("keep\n", File.ReadAllText(At("data/keep")));
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(At("data/keep")));
        Assert.Equal((UnixFileMode)0x1E8, File.GetUnixFileMode(At("data")));
        Assert.Equal((UnixFileMode)0x3FF, File.GetUnixFileMode(At("scratch")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(At("bin/tool")));
        Assert.Equal("keep", new FileInfo(At("data/link")).LinkTarget);
        Assert.Equal("keep\n", File.ReadAllText(At("data/keep-again")));
        Assert.False(File.Exists(At("data/gone")), "the whiteout deleted data/gone");
        Assert.False(File.Exists(At("opaque/old")), "the opaque whiteout hid opaque/old");
        Assert.Equal("new\n", File.ReadAllText(At("opaque/new")));
        Assert.Empty(Directory.GetFiles(rootfs, ".wh.*", SearchOption.AllDirectories));
    }

    private Task<string> UmociUnpackAsync(string layout, string tag) =>
        Umoci.UnpackAsync(layout, tag, _work.Combine("bundle-" + Guid.NewGuid().ToString("N")), Cancellation);

    private static async Task<ToolResult> SkopeoAsync(params string[] arguments)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        return await ExternalTools.RunCheckedAsync(skopeo, ["--policy", BaseImages.SkopeoPolicyPath(), .. arguments], cancellationToken: Cancellation);
    }

    private static async Task<JsonDocument> SkopeoJsonAsync(params string[] arguments) =>
        JsonDocument.Parse((await SkopeoAsync(arguments)).StandardOutput);

    private static List<string> Layers(JsonDocument inspect) =>
        inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
}
