using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Outputs;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Outputs;

public sealed class OciLayoutDestinationTests : IDisposable
{
    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private string LayoutPath => _work.Combine("layout");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Writes_a_layout_with_every_blob_and_a_named_index_entry()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));

        await new OciLayoutDestination(LayoutPath, "v1").WriteAsync(image, Cancellation);

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", await File.ReadAllTextAsync(Path.Combine(LayoutPath, "oci-layout"), Cancellation));
        var index = ReadIndex();
        OciDocumentValidator.EnsureValid(index.Bytes.Span, MediaType.OciIndex);
        var entry = Assert.Single(index.Value.Manifests);
        Assert.Equal(image.ToDescriptor() with { Annotations = entry.Annotations }, entry);
        Assert.Equal("v1", entry.Annotations![OciReferenceName.AnnotationKey]);
        Digest[] blobs = [image.Manifest.Digest, image.Config.Digest, .. image.Layers.Select(l => l.Digest)];
        foreach (var digest in blobs)
        {
            var bytes = await File.ReadAllBytesAsync(OciLayoutDestination.BlobPath(LayoutPath, digest), Cancellation);
            Assert.Equal(digest, Digest.Compute(bytes));
        }

        Assert.Equal(blobs.Select(d => d.Encoded).Order(StringComparer.Ordinal), Directory.GetFiles(Path.Combine(LayoutPath, "blobs", "sha256")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Adding_keeps_other_names_and_moves_a_reused_name()
    {
        var first = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"), "one");
        var second = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"), "two");

        await new OciLayoutDestination(LayoutPath, "a").WriteAsync(first, Cancellation);
        await new OciLayoutDestination(LayoutPath, "b").WriteAsync(first, Cancellation);
        await new OciLayoutDestination(LayoutPath, "a").WriteAsync(second, Cancellation);

        var entries = ReadIndex().Value.Manifests.ToDictionary(m => m.Annotations![OciReferenceName.AnnotationKey], m => m.Digest);
        Assert.Equal(2, entries.Count);
        Assert.Equal(second.Digest, entries["a"]);
        Assert.Equal(first.Digest, entries["b"]);
        Assert.True(File.Exists(OciLayoutDestination.BlobPath(LayoutPath, first.Digest)));
    }

    [Fact]
    public async Task Writing_without_a_name_twice_lists_the_image_once()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));

        await new OciLayoutDestination(LayoutPath, null).WriteAsync(image, Cancellation);
        await new OciLayoutDestination(LayoutPath, null).WriteAsync(image, Cancellation);

        Assert.Null(Assert.Single(ReadIndex().Value.Manifests).Annotations);
        Assert.Empty(Directory.GetFiles(LayoutPath, "*.partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_index_is_written_with_all_its_images()
    {
        var amd64 = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"), "amd64");
        var other = new ImageBuilder(amd64).WithLabel("variant", "other").Build();
        var index = new ImageIndexBuilder().Add(amd64).Add(other, Platform.Parse("linux/arm64")).Build();

        await new OciLayoutDestination(LayoutPath, "multi").WriteIndexAsync(index, Cancellation);

        var entry = Assert.Single(ReadIndex().Value.Manifests);
        Assert.Equal((MediaType.OciIndex, index.Digest), (entry.MediaType, entry.Digest));
        Assert.True(File.Exists(OciLayoutDestination.BlobPath(LayoutPath, index.Digest)));
        Assert.True(File.Exists(OciLayoutDestination.BlobPath(LayoutPath, other.Config.Digest)));
    }

    [Fact]
    public async Task A_folder_that_is_not_a_layout_fails_with_5002()
    {
        Directory.CreateDirectory(LayoutPath);
        await File.WriteAllTextAsync(Path.Combine(LayoutPath, "notes.txt"), "mine", Cancellation);
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));

        var error = await Assert.ThrowsAsync<KanikoException>(() => new OciLayoutDestination(LayoutPath, "x").WriteAsync(image, Cancellation));

        Assert.Equal(DiagnosticCodes.InvalidOciLayout, error.Code);
        Assert.False(Directory.Exists(Path.Combine(LayoutPath, "blobs")));
    }

    [Fact]
    public async Task A_broken_index_fails_with_5002()
    {
        Directory.CreateDirectory(LayoutPath);
        await File.WriteAllTextAsync(Path.Combine(LayoutPath, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", Cancellation);
        await File.WriteAllTextAsync(Path.Combine(LayoutPath, "index.json"), "{\"manifests\":", Cancellation);
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));

        var error = await Assert.ThrowsAsync<KanikoException>(() => new OciLayoutDestination(LayoutPath, "x").WriteAsync(image, Cancellation));

        Assert.Equal(DiagnosticCodes.InvalidOciLayout, error.Code);
    }

    [Fact]
    public async Task An_unwritable_place_fails_with_5001()
    {
        var file = _work.Combine("file");
        await File.WriteAllTextAsync(file, "not a folder", Cancellation);
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));

        var error = await Assert.ThrowsAsync<KanikoException>(() => new OciLayoutDestination(Path.Combine(file, "layout"), "x").WriteAsync(image, Cancellation));

        Assert.Equal(DiagnosticCodes.OutputWriteFailed, error.Code);
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("v1.2.3", true)]
    [InlineData("example.com/app:1.0", true)]
    [InlineData("a--b", true)]
    [InlineData("a__b", false)]
    [InlineData("-a", false)]
    [InlineData("a-", false)]
    [InlineData("a//b", false)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    public void Reference_names_follow_the_spec_grammar(string name, bool valid)
    {
        Assert.Equal(valid, OciReferenceName.IsValid(name));
        if (!valid && name.Length > 0)
        {
            Assert.Equal(DiagnosticCodes.InvalidOutputTag, Assert.Throws<KanikoException>(() => new OciLayoutDestination(LayoutPath, name)).Code);
        }
    }

    private RawJson<ImageIndex> ReadIndex() => RawJson<ImageIndex>.Parse(File.ReadAllBytes(Path.Combine(LayoutPath, "index.json")));
}
