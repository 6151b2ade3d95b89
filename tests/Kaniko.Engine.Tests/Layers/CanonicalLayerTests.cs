using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Layers;

/// <summary>The layer pinned in TestData/Layers: a regression check on the exact tar bytes the writer produces.</summary>
public sealed class CanonicalLayerTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static string BlobPath => Path.Combine(LayerTestData.Directory, "canonical.tar.gz");

    private static Dictionary<string, string> Pinned => File.ReadAllLines(Path.Combine(LayerTestData.Directory, "canonical.tsv"))
        .Where(line => line.Length > 0 && !line.StartsWith('#'))
        .Select(line => line.Split('\t'))
        .ToDictionary(fields => fields[0], fields => fields[1]);

    [Fact]
    public async Task Pinned_blob_has_the_pinned_digests()
    {
        var layer = await FileBackedLayer.FromFileAsync(BlobPath, MediaType.OciLayerGzip, Cancellation);

        Assert.Equal(Pinned["digest"], layer.Digest.ToString());
        Assert.Equal(Pinned["diff_id"], layer.DiffId.ToString());
        Assert.Equal(long.Parse(Pinned["size"], System.Globalization.CultureInfo.InvariantCulture), layer.Size);
    }

    [Fact]
    public async Task Writer_reproduces_the_pinned_tar_bytes()
    {
        using var work = new TempDirectory();

        var layer = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);

        // The gzip stream depends on the runtime's zlib; the tar inside must not depend on anything.
        Assert.Equal(Pinned["diff_id"], layer.DiffId.ToString());
    }

    [Fact]
    public async Task Reading_the_pinned_blob_through_the_layer_verifies_both_digests()
    {
        var layer = new FileBackedLayer(BlobPath, MediaType.OciLayerGzip, Digest.Parse(Pinned["digest"]), Digest.Parse(Pinned["diff_id"]), long.Parse(Pinned["size"], System.Globalization.CultureInfo.InvariantCulture));

        await using var compressed = await layer.OpenCompressedAsync(Cancellation);
        await compressed.CopyToAsync(Stream.Null, Cancellation);
        await using var uncompressed = await layer.OpenUncompressedAsync(Cancellation);
        var entries = LayerTestData.ReadTar(uncompressed);
        await uncompressed.CopyToAsync(Stream.Null, Cancellation);

        Assert.True(((DigestVerifyingStream)compressed).IsVerified);
        Assert.True(((DigestVerifyingStream)uncompressed).IsVerified);
        Assert.Equal(12, entries.Count);
    }

    [Fact]
    public async Task A_damaged_copy_fails_verification_with_3008()
    {
        using var work = new TempDirectory();
        var bytes = await File.ReadAllBytesAsync(BlobPath, Cancellation);
        bytes[^9] ^= 0x01; // inside the gzip trailer's CRC: the tar still decompresses the same
        var copy = work.Combine("damaged.tar.gz");
        await File.WriteAllBytesAsync(copy, bytes, Cancellation);
        var layer = new FileBackedLayer(copy, MediaType.OciLayerGzip, Digest.Parse(Pinned["digest"]), Digest.Parse(Pinned["diff_id"]), bytes.Length);

        await using var compressed = await layer.OpenCompressedAsync(Cancellation);
        var error = await Assert.ThrowsAsync<KanikoException>(() => compressed.CopyToAsync(Stream.Null, Cancellation));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
    }

    [Fact]
    public async Task Unknown_compression_fails_with_3304()
    {
        var layer = new FileBackedLayer(BlobPath, new MediaType("application/vnd.example.layer.v1.tar+lz4"), Digest.EmptySha256, Digest.EmptySha256, 0);

        var error = await Assert.ThrowsAsync<KanikoException>(() => layer.OpenUncompressedAsync(Cancellation));

        Assert.Equal(DiagnosticCodes.UnsupportedLayerMediaType, error.Code);
    }
}
