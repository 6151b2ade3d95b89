using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Outputs;
using Kaniko.Engine.Tests.Outputs;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Images;

public sealed class LayoutImageTests : IDisposable
{
    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task An_image_written_to_a_layout_loads_back_with_the_same_bytes()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var layout = _work.Combine("layout");
        await new OciLayoutDestination(layout, "v1").WriteAsync(image, Cancellation);

        var loaded = await LayoutImage.LoadAsync(layout, "v1", Cancellation);

        Assert.Equal(image.Manifest.Bytes.ToArray(), loaded.Manifest.Bytes.ToArray());
        Assert.Equal(image.Config.Bytes.ToArray(), loaded.Config.Bytes.ToArray());
        Assert.Equal(image.Layers.Select(l => (l.Digest, l.DiffId, l.Size, l.MediaType)), loaded.Layers.Select(l => (l.Digest, l.DiffId, l.Size, l.MediaType)));
        await using var tar = await loaded.Layers[0].OpenUncompressedAsync(Cancellation);
        await tar.CopyToAsync(Stream.Null, Cancellation);
    }

    [Fact]
    public async Task A_missing_name_fails_with_5002()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var layout = _work.Combine("layout");
        await new OciLayoutDestination(layout, "v1").WriteAsync(image, Cancellation);

        var error = await Assert.ThrowsAsync<KanikoException>(() => LayoutImage.LoadAsync(layout, "v2", Cancellation));

        Assert.Equal(DiagnosticCodes.InvalidOciLayout, error.Code);
    }

    [Fact]
    public async Task A_tampered_manifest_blob_fails_with_3008()
    {
        var image = await OutputTestImages.TwoLayersAsync(_work.Combine("layers"));
        var layout = _work.Combine("layout");
        await new OciLayoutDestination(layout, "v1").WriteAsync(image, Cancellation);
        var manifestPath = OciLayoutDestination.BlobPath(layout, image.Manifest.Digest);
        var bytes = await File.ReadAllBytesAsync(manifestPath, Cancellation);
        bytes[^2] = (byte)' ';
        await File.WriteAllBytesAsync(manifestPath, bytes, Cancellation);

        var error = await Assert.ThrowsAsync<KanikoException>(() => LayoutImage.LoadAsync(layout, "v1", Cancellation));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
    }
}
