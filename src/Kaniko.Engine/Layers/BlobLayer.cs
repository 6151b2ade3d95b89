using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A layer whose digests, size and media type are known before any byte is read (a registry blob, a cached blob, a
/// blob file): what differs between them is only where the compressed bytes come from.
/// </summary>
internal abstract class BlobLayer : ILayer
{
    /// <summary>Describes a blob by what its descriptor and the config's <c>rootfs.diff_ids</c> say of it.</summary>
    protected BlobLayer(Digest digest, Digest diffId, long size, MediaType mediaType)
    {
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
    public abstract Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);

    /// <summary>Opens the compressed blob, decompresses it by <see cref="MediaType"/> and verifies it against <see cref="DiffId"/>.</summary>
    public virtual async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = await OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        return new DigestVerifyingStream(LayerCompressionCodec.Decompress(compressed, MediaType), DiffId, expectedSize: null);
    }
}
