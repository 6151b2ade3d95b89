using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>A layer whose compressed blob is in a <see cref="BlobStore"/>; every read is verified against its digests.</summary>
internal sealed class StoredLayer : ILayer
{
    private readonly BlobStore _store;

    /// <summary>Describes the blob <paramref name="digest"/> of <paramref name="store"/>.</summary>
    public StoredLayer(BlobStore store, Digest digest, Digest diffId, long size, MediaType mediaType)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        Digest = digest;
        DiffId = diffId;
        Size = size;
        MediaType = mediaType;
    }

    /// <inheritdoc />
    public Digest Digest { get; }

    /// <inheritdoc />
    public Digest DiffId { get; }

    /// <inheritdoc />
    public long Size { get; }

    /// <inheritdoc />
    public MediaType MediaType { get; }

    /// <inheritdoc />
    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_store.TryOpenRead(Digest, Size)
            ?? throw new IOException($"blob {Digest} is no longer in the layer cache at {_store.Root}"));

    /// <inheritdoc />
    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = await OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        return new DigestVerifyingStream(LayerCompressionCodec.Decompress(compressed, MediaType), DiffId, expectedSize: null);
    }
}
