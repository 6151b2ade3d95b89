using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>A layer whose compressed blob is in a <see cref="BlobStore"/>; every read is verified against its digests.</summary>
internal sealed class StoredLayer : BlobLayer
{
    private readonly BlobStore _store;

    /// <summary>Describes the blob <paramref name="digest"/> of <paramref name="store"/>.</summary>
    public StoredLayer(BlobStore store, Digest digest, Digest diffId, long size, MediaType mediaType)
        : base(digest, diffId, size, mediaType) =>
        _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <inheritdoc />
    public override Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_store.TryOpenRead(Digest, Size)
            ?? throw new IOException($"blob {Digest} is no longer in the layer cache at {_store.Root}"));
}
