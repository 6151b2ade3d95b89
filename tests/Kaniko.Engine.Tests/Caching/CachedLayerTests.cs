using System.IO.Compression;
using System.Text;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Caching;

public sealed class CachedLayerTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_source_is_read_once_and_later_opens_come_from_the_store()
    {
        var source = CountingLayer.Gzipped("layer content\n");
        var layer = new CachedLayer(source, new BlobStore(_root.Path));
        Assert.False(layer.IsCached);

        var first = await ReadAllAsync(await layer.OpenCompressedAsync(TestContext.Current.CancellationToken));
        var second = await ReadAllAsync(await layer.OpenCompressedAsync(TestContext.Current.CancellationToken));
        var tar = await ReadAllAsync(await layer.OpenUncompressedAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1, source.Opens);
        Assert.True(layer.IsCached);
        Assert.Equal(first, second);
        Assert.Equal("layer content\n", Encoding.UTF8.GetString(tar));
    }

    [Fact]
    public async Task A_second_store_on_the_same_folder_sees_the_blob()
    {
        var source = CountingLayer.Gzipped("shared\n");
        await ReadAllAsync(await new CachedLayer(source, new BlobStore(_root.Path)).OpenCompressedAsync(TestContext.Current.CancellationToken));

        var again = new CachedLayer(source, new BlobStore(_root.Path));
        await ReadAllAsync(await again.OpenCompressedAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1, source.Opens);
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            return copy.ToArray();
        }
    }

    /// <summary>A layer in memory that counts how often its blob is opened (standing in for a download).</summary>
    private sealed class CountingLayer(byte[] blob, byte[] tar) : ILayer
    {
        public int Opens { get; private set; }

        public Digest Digest { get; } = Digest.Compute(blob);

        public Digest DiffId { get; } = Digest.Compute(tar);

        public long Size => blob.Length;

        public MediaType MediaType => MediaType.OciLayerGzip;

        public static CountingLayer Gzipped(string text)
        {
            var tar = Encoding.UTF8.GetBytes(text);
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(tar);
            }

            return new CountingLayer(buffer.ToArray(), tar);
        }

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
        {
            Opens++;
            return Task.FromResult<Stream>(new MemoryStream(blob, writable: false));
        }

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) =>
            Task.FromResult<Stream>(new MemoryStream(tar, writable: false));
    }
}
