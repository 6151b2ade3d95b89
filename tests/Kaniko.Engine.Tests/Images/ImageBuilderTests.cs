using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Tests.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Images;

public sealed class ImageBuilderTests : IDisposable
{
    private static readonly Platform LinuxArm64 = Platform.Parse("linux/arm64/v8");
    private static readonly DateTimeOffset Created = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Scratch_plus_a_layer_gives_a_valid_oci_image()
    {
        var layer = await WriteLayerAsync("hello.txt", "hello");

        var image = ImageBuilder.FromScratch(LinuxArm64)
            .AppendLayer(layer, createdBy: "COPY hello.txt /")
            .AppendHistory("CMD [\"/hello.txt\"]")
            .WithConfig(c => c with { Cmd = ["/hello.txt"] })
            .WithCreated(Created)
            .Build();

        OciDocumentValidator.EnsureValid(image.Manifest.Bytes.Span, MediaType.OciManifest);
        OciDocumentValidator.EnsureValid(image.Config.Bytes.Span, MediaType.OciConfig);
        var manifest = image.Manifest.Value;
        var config = image.Config.Value;
        Assert.Equal(MediaType.OciManifest, manifest.MediaType);
        Assert.Equal(image.Config.ToDescriptor(MediaType.OciConfig), manifest.Config);
        var descriptor = Assert.Single(manifest.Layers);
        Assert.Equal((MediaType.OciLayerGzip, layer.Digest, layer.Size), (descriptor.MediaType, descriptor.Digest, descriptor.Size));
        Assert.Equal([layer.DiffId], config.RootFs.DiffIds);
        Assert.Equal(("linux", "arm64", "v8"), (config.Os, config.Architecture, config.Variant));
        Assert.Equal("2025-01-02T03:04:05Z", config.Created);
        Assert.Equal(["/hello.txt"], config.Config!.Cmd!);
        Assert.Collection(
            config.History!,
            h => Assert.Equal(("COPY hello.txt /", (bool?)null, "2025-01-02T03:04:05Z"), (h.CreatedBy, h.EmptyLayer, h.Created)),
            h => Assert.Equal(("CMD [\"/hello.txt\"]", (bool?)true), (h.CreatedBy, h.EmptyLayer)));
        Assert.Same(layer, Assert.Single(image.Layers));
        Assert.Equal(image.Manifest.Digest, image.Digest);
    }

    [Fact]
    public async Task Building_twice_gives_the_same_bytes()
    {
        var layer = await WriteLayerAsync("a", "a");

        MutatedImage Build() => ImageBuilder.FromScratch(LinuxArm64).AppendLayer(layer, "RUN a").WithLabel("b", "2").WithLabel("a", "1").Build();

        Assert.Equal(Build().Manifest.Bytes.ToArray(), Build().Manifest.Bytes.ToArray());
        Assert.Equal(Build().Config.Bytes.ToArray(), Build().Config.Bytes.ToArray());
    }

    [Fact]
    public async Task Appending_keeps_the_base_layers_descriptors_and_history()
    {
        var first = await WriteLayerAsync("one", "1");
        var second = await WriteLayerAsync("two", "2");
        var baseImage = ImageBuilder.FromScratch(LinuxArm64)
            .AppendLayer(first, "ADD one /", layerAnnotations: new Dictionary<string, string> { ["x"] = "y" })
            .WithAnnotation("org.opencontainers.image.title", "base")
            .WithCreated(Created)
            .Build();

        var image = new ImageBuilder(baseImage).AppendLayer(second, "ADD two /").WithAuthor("tests").Build();

        Assert.Equal(baseImage.Manifest.Value.Layers[0], image.Manifest.Value.Layers[0]);
        Assert.Equal([first.Digest, second.Digest], image.Layers.Select(l => l.Digest));
        Assert.Equal([first.DiffId, second.DiffId], image.Config.Value.RootFs.DiffIds);
        Assert.Equal(["ADD one /", "ADD two /"], image.Config.Value.History!.Select(h => h.CreatedBy));
        Assert.Equal("2025-01-02T03:04:05Z", image.Config.Value.Created);
        Assert.Null(image.Config.Value.History![1].Created);
        // BuildKit records MAINTAINER in the config's author only; its history entries have none.
        Assert.Equal("tests", image.Config.Value.Author);
        Assert.Null(image.Config.Value.History![1].Author);
        Assert.Equal("base", image.Manifest.Value.Annotations!["org.opencontainers.image.title"]);
    }

    [Fact]
    public async Task A_docker_base_keeps_docker_media_types_for_new_layers()
    {
        var first = await WriteLayerAsync("one", "1");
        var dockerBase = ImageBuilder.FromScratch(LinuxArm64, Kaniko.Engine.Images.ImageFormat.Docker).AppendLayer(first).Build();

        var image = new ImageBuilder(dockerBase).AppendLayer(await WriteLayerAsync("two", "2")).Build();

        OciDocumentValidator.EnsureValid(image.Manifest.Bytes.Span, MediaType.DockerManifest);
        Assert.Equal(Kaniko.Engine.Images.ImageFormat.Docker, image.Format);
        Assert.Equal(MediaType.DockerManifest, image.Manifest.Value.MediaType);
        Assert.Equal(MediaType.DockerConfig, image.Manifest.Value.Config.MediaType);
        Assert.All(image.Manifest.Value.Layers, d => Assert.Equal(MediaType.DockerLayerGzip, d.MediaType));
        Assert.All(image.Layers, l => Assert.Equal(MediaType.DockerLayerGzip, l.MediaType));
        Assert.Equal(MediaType.DockerManifest, image.ToDescriptor().MediaType);
    }

    [Fact]
    public async Task Converting_a_docker_image_to_oci_renames_its_layer_types()
    {
        var dockerImage = ImageBuilder.FromScratch(LinuxArm64, Kaniko.Engine.Images.ImageFormat.Docker).AppendLayer(await WriteLayerAsync("one", "1")).Build();

        var image = new ImageBuilder(dockerImage).WithFormat(Kaniko.Engine.Images.ImageFormat.Oci).Build();

        Assert.Equal(MediaType.OciLayerGzip, Assert.Single(image.Manifest.Value.Layers).MediaType);
        Assert.Equal(MediaType.OciConfig, image.Manifest.Value.Config.MediaType);
    }

    [Fact]
    public async Task A_built_image_in_the_other_format_keeps_its_config_and_layer_bytes()
    {
        var dockerImage = ImageBuilder.FromScratch(LinuxArm64, Kaniko.Engine.Images.ImageFormat.Docker)
            .AppendLayer(await WriteLayerAsync("one", "1"))
            .WithConfig(c => c with { Healthcheck = new HealthConfig { Test = ["CMD-SHELL", "true"] } })
            .Build();

        var image = dockerImage.WithFormat(Kaniko.Engine.Images.ImageFormat.Oci);

        Assert.Equal(MediaType.OciManifest, image.Manifest.Value.MediaType);
        Assert.Equal(MediaType.OciConfig, image.Manifest.Value.Config.MediaType);
        Assert.Equal(MediaType.OciLayerGzip, Assert.Single(image.Layers).MediaType);
        Assert.Equal(dockerImage.Config.Digest, image.Manifest.Value.Config.Digest);
        Assert.Equal(dockerImage.Layers[0].Digest, image.Manifest.Value.Layers[0].Digest);
        Assert.NotNull(image.Config.Value.Config?.Healthcheck);
        Assert.NotEqual(dockerImage.Digest, image.Digest);
        Assert.Same(image, image.WithFormat(Kaniko.Engine.Images.ImageFormat.Oci));
        Assert.Equal(dockerImage.Manifest.Bytes.ToArray(), image.WithFormat(Kaniko.Engine.Images.ImageFormat.Docker).Manifest.Bytes.ToArray());
    }

    [Fact]
    public async Task A_zstd_layer_in_a_docker_manifest_fails_with_3310()
    {
        var zstd = await new LayerWriter(new LayerWriterOptions { Compression = LayerCompression.Zstd })
            .WriteAsync([LayerEntry.File("z", Encoding.ASCII.GetBytes("z"))], _work.Path, Cancellation);

        var error = Assert.Throws<KanikoException>(() => ImageBuilder.FromScratch(LinuxArm64, Kaniko.Engine.Images.ImageFormat.Docker).AppendLayer(zstd).Build());

        Assert.Equal(DiagnosticCodes.LayerNotAllowedInManifest, error.Code);
    }

    [Fact]
    public void An_image_whose_manifest_and_layers_disagree_fails_with_3311()
    {
        var scratch = ScratchImage.For(LinuxArm64);
        var broken = new FakeImage(scratch.Manifest, scratch.Config, [new FileBackedLayer("x", MediaType.OciLayerGzip, Digest.EmptySha256, Digest.EmptySha256, 0)]);

        var error = Assert.Throws<KanikoException>(() => new ImageBuilder(broken));

        Assert.Equal(DiagnosticCodes.InconsistentImage, error.Code);
    }

    [Fact]
    public void Labels_are_set_sorted_and_removed()
    {
        var image = ImageBuilder.FromScratch(LinuxArm64).WithLabel("z", "1").WithLabel("a", "2").WithLabel("m", "3").WithLabel("m", null).Build();

        Assert.Equal(["a", "z"], image.Config.Value.Config!.Labels!.Keys);
        Assert.Contains("\"Labels\":{\"a\":\"2\",\"z\":\"1\"}", image.Config.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Scratch_image_names_its_platform_and_has_no_layers()
    {
        var scratch = ScratchImage.For(Platform.Parse("linux/amd64"));

        Assert.Empty(scratch.Layers);
        Assert.Empty(scratch.Manifest.Value.Layers);
        Assert.Equal(("linux", "amd64"), (scratch.Config.Value.Os, scratch.Config.Value.Architecture));
        Assert.Empty(scratch.Config.Value.RootFs.DiffIds);
        Assert.Equal(scratch.Config.Digest, scratch.Manifest.Value.Config.Digest);
    }

    [Fact]
    public async Task Index_lists_each_platform_with_its_manifest()
    {
        var layer = await WriteLayerAsync("a", "a");
        var amd64 = ImageBuilder.FromScratch(Platform.Parse("linux/amd64")).AppendLayer(layer).Build();
        var arm64 = ImageBuilder.FromScratch(LinuxArm64).AppendLayer(layer).Build();

        var index = new ImageIndexBuilder().Add(amd64).Add(arm64).WithAnnotation("org.opencontainers.image.version", "1").Build();

        OciDocumentValidator.EnsureValid(index.Index.Bytes.Span, MediaType.OciIndex);
        Assert.Equal(MediaType.OciIndex, index.Index.Value.MediaType);
        Assert.Equal([amd64.Digest, arm64.Digest], index.Index.Value.Manifests.Select(m => m.Digest));
        Assert.Equal(["linux/amd64", "linux/arm64/v8"], index.Index.Value.Manifests.Select(m => m.Platform!.ToString()));
        Assert.Equal(arm64.Digest, index.Index.Value.FindManifest(Platform.Parse("linux/arm64"))!.Digest);
        Assert.Equal([amd64, arm64], index.Manifests);
    }

    [Fact]
    public void A_docker_manifest_list_lists_docker_manifests()
    {
        var image = ImageBuilder.FromScratch(LinuxArm64, Kaniko.Engine.Images.ImageFormat.Docker).Build();

        var index = new ImageIndexBuilder(Kaniko.Engine.Images.ImageFormat.Docker).Add(image).Build();

        Assert.Equal(MediaType.DockerManifestList, index.Index.Value.MediaType);
        Assert.Equal(MediaType.DockerManifest, Assert.Single(index.Index.Value.Manifests).MediaType);
    }

    private async Task<FileBackedLayer> WriteLayerAsync(string name, string content) =>
        await new LayerWriter().WriteAsync([LayerEntry.File(name, Encoding.ASCII.GetBytes(content))], _work.Path, Cancellation);

    private sealed record FakeImage(RawJson<ImageManifest> Manifest, RawJson<ImageConfigFile> Config, IReadOnlyList<ILayer> Layers) : IImage;
}
