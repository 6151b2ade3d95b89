using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// A layer in a registry repository: a descriptor and a way to fetch it. Nothing is downloaded until a stream is
/// opened, and every stream is verified (the compressed one against <see cref="Digest"/> and
/// <see cref="Size"/>, the uncompressed one against <see cref="DiffId"/>).
/// </summary>
internal sealed class RemoteLayer : ILayer
{
    private readonly IBlobClient client;

    internal RemoteLayer(IBlobClient client, RepositoryName repository, Descriptor descriptor, Digest diffId)
    {
        this.client = client;
        Repository = repository;
        Descriptor = descriptor;
        DiffId = diffId;
    }

    /// <summary>The repository the layer is fetched from; a push to another repository of that registry can mount it from here.</summary>
    public RepositoryName Repository { get; }

    /// <summary>The layer's descriptor in its manifest.</summary>
    public Descriptor Descriptor { get; }

    /// <inheritdoc />
    public Digest Digest => Descriptor.Digest;

    /// <inheritdoc />
    public Digest DiffId { get; }

    /// <inheritdoc />
    public long Size => Descriptor.Size;

    /// <inheritdoc />
    public MediaType MediaType => Descriptor.MediaType;

    /// <inheritdoc />
    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        client.OpenBlobAsync(Repository, Descriptor, cancellationToken);

    /// <inheritdoc />
    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = await OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        return new DigestVerifyingStream(LayerCompressionCodec.Decompress(compressed, MediaType), DiffId, expectedSize: null);
    }
}
