using System.Formats.Tar;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Outputs;
using Kaniko.Engine.Tests.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Outputs;

public sealed class TarballDestinationTests : IDisposable
{
    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Docker_25_layout_holds_manifest_json_blobs_and_an_oci_index()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var path = _work.Combine("image.tar");

        await new TarballDestination(path, [ImageReference.Parse("127.0.0.1:5000/team/app:1.0"), ImageReference.Parse("busybox")]).WriteAsync(image, Cancellation);

        var entries = ReadTar(path);
        string[] blobs = [.. image.Layers.Select(l => Blob(l.Digest)), Blob(image.Config.Digest), Blob(image.Manifest.Digest)];
        Assert.Equal(["blobs/", "blobs/sha256/", .. blobs, "index.json", "manifest.json", "oci-layout"], entries.Keys);
        using var manifest = JsonDocument.Parse(entries["manifest.json"]);
        var only = Assert.Single(manifest.RootElement.EnumerateArray());
        Assert.Equal(Blob(image.Config.Digest), only.GetProperty("Config").GetString());
        Assert.Equal(["127.0.0.1:5000/team/app:1.0", "busybox:latest"], only.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(image.Layers.Select(l => Blob(l.Digest)), only.GetProperty("Layers").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(image.Manifest.Bytes.ToArray(), entries[Blob(image.Manifest.Digest)]);
        Assert.Equal(image.Config.Bytes.ToArray(), entries[Blob(image.Config.Digest)]);
        foreach (var layer in image.Layers)
        {
            Assert.Equal(layer.Digest, Digest.Compute(entries[Blob(layer.Digest)]));
        }

        var index = RawJson<ImageIndex>.Parse(entries["index.json"]);
        OciDocumentValidator.EnsureValid(index.Bytes.Span, MediaType.OciIndex);
        Assert.All(index.Value.Manifests, m => Assert.Equal(image.Digest, m.Digest));
        Assert.Equal(
            ["127.0.0.1:5000/team/app:1.0", "docker.io/library/busybox:latest"],
            index.Value.Manifests.Select(m => m.Annotations![TarballDestination.ContainerdImageNameAnnotation]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Classic_layout_puts_the_blobs_at_the_top()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var path = _work.Combine("image.tar");

        await new TarballDestination(path, [ImageReference.Parse("app:2")], TarballLayout.Classic).WriteAsync(image, Cancellation);

        var entries = ReadTar(path);
        Assert.Equal([.. image.Layers.Select(l => l.Digest.Encoded + ".tar.gz"), image.Config.Digest.Encoded + ".json", "manifest.json"], entries.Keys);
        using var manifest = JsonDocument.Parse(entries["manifest.json"]);
        Assert.Equal("app:2", manifest.RootElement[0].GetProperty("RepoTags")[0].GetString());
    }

    [Fact]
    public async Task A_layer_used_twice_is_stored_once_and_listed_twice()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var twice = new ImageBuilder(image).AppendLayer(image.Layers[0], "COPY again").Build();
        var path = _work.Combine("image.tar");

        await new TarballDestination(path, []).WriteAsync(twice, Cancellation);

        var entries = ReadTar(path);
        using var manifest = JsonDocument.Parse(entries["manifest.json"]);
        var layers = manifest.RootElement[0].GetProperty("Layers").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.Equal(3, layers.Count);
        Assert.Equal(layers[0], layers[2]);
        Assert.Equal(2 + 2 + 2 + 3, entries.Count); // 2 folders, 2 layer blobs, config and manifest, 3 top-level files
    }

    [Fact]
    public async Task Without_tags_the_image_is_untagged()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var path = _work.Combine("image.tar");

        await new TarballDestination(path, []).WriteAsync(image, Cancellation);

        using var manifest = JsonDocument.Parse(ReadTar(path)["manifest.json"]);
        Assert.Equal(JsonValueKind.Null, manifest.RootElement[0].GetProperty("RepoTags").ValueKind);
    }

    [Fact]
    public async Task A_digest_reference_cannot_tag_a_tarball_and_fails_with_5003()
    {
        var error = Assert.Throws<KanikoException>(() => new TarballDestination(
            _work.Combine("x.tar"), [ImageReference.Parse("app@" + Digest.EmptySha256)]));

        Assert.Equal(DiagnosticCodes.InvalidOutputTag, error.Code);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_layer_whose_file_was_damaged_is_not_written_and_no_tarball_appears()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var layerFile = ((Kaniko.Engine.Layers.FileBackedLayer)image.Layers[0]).FilePath;
        var bytes = await File.ReadAllBytesAsync(layerFile, Cancellation);
        bytes[^9] ^= 1;
        await File.WriteAllBytesAsync(layerFile, bytes, Cancellation);
        var path = _work.Combine("image.tar");

        var error = await Assert.ThrowsAsync<KanikoException>(() => new TarballDestination(path, []).WriteAsync(image, Cancellation));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_work.Path));
    }

    private static string Blob(Digest digest) => "blobs/sha256/" + digest.Encoded;

    private static Dictionary<string, byte[]> ReadTar(string path)
    {
        using var file = File.OpenRead(path);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in LayerTestData.ReadTar(file))
        {
            using var copy = new MemoryStream();
            entry.DataStream?.CopyTo(copy);
            result.Add(entry.Name, copy.ToArray());
        }

        return result;
    }
}
