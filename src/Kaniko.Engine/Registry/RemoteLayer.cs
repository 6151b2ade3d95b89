using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// A layer in a registry repository: a descriptor and a way to fetch it. Nothing is downloaded until a stream is
/// opened, and every stream is verified (the compressed one against <see cref="BlobLayer.Digest"/> and
/// <see cref="BlobLayer.Size"/>, the uncompressed one against <see cref="BlobLayer.DiffId"/>).
/// </summary>
internal sealed class RemoteLayer : BlobLayer
{
    private readonly IBlobClient _client;

    internal RemoteLayer(IBlobClient client, RepositoryName repository, Descriptor descriptor, Digest diffId)
        : base(descriptor.Digest, diffId, descriptor.Size, descriptor.MediaType)
    {
        _client = client;
        Repository = repository;
        Descriptor = descriptor;
    }

    /// <summary>The repository the layer is fetched from; a push to another repository of that registry can mount it from here.</summary>
    public RepositoryName Repository { get; }

    /// <summary>The layer's descriptor in its manifest.</summary>
    public Descriptor Descriptor { get; }

    /// <inheritdoc />
    public override Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        _client.OpenBlobAsync(Repository, Descriptor, cancellationToken);
}
