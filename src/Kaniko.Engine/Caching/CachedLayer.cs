using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Caching;

/// <summary>
/// A layer read through a <see cref="BlobStore"/>: the first open downloads the compressed blob into the store (verified),
/// every open reads the stored file. Base images pulled by one build are then on disk for the next. The download is
/// reported as a <see cref="BlobTransferDirection.Pull"/> transfer to the event sink, when one is given.
/// </summary>
internal sealed class CachedLayer : IWrappedLayer
{
    private readonly ILayer _source;
    private readonly BlobStore _store;
    private readonly IBuildEventSink _events;

    /// <summary>Wraps <paramref name="source"/> so that its blob is kept in <paramref name="store"/>.</summary>
    public CachedLayer(ILayer source, BlobStore store)
        : this(source, store, null)
    {
    }

    /// <summary>Wraps <paramref name="source"/> so that its blob is kept in <paramref name="store"/>, reporting its download to <paramref name="events"/>.</summary>
    public CachedLayer(ILayer source, BlobStore store, IBuildEventSink? events)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _events = events ?? NullBuildEventSink.Instance;
    }

    // A layer that is not in a registry (a layer file, a test double) has no repository to name.
    private static readonly RepositoryName LocalSource = new("local", "layer");

    /// <inheritdoc />
    public ILayer Inner => _source;

    /// <inheritdoc />
    public Digest Digest => _source.Digest;

    /// <inheritdoc />
    public Digest DiffId => _source.DiffId;

    /// <inheritdoc />
    public long Size => _source.Size;

    /// <inheritdoc />
    public MediaType MediaType => _source.MediaType;

    /// <summary>Whether the blob is already in the store (opening it then downloads nothing).</summary>
    public bool IsCached => _store.Contains(Digest);

    /// <inheritdoc />
    public async Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        if (!_store.Contains(Digest))
        {
            var repository = WrappedLayers.Find<RemoteLayer>(_source)?.Repository ?? LocalSource;
            var transfer = new BlobTransferProgress(_events, BlobTransferDirection.Pull, repository, Digest, Size);
            await _store.EnsureAsync(Digest, Size, transfer.Wrap(_source.OpenCompressedAsync), cancellationToken).ConfigureAwait(false);
            transfer.Finish();
        }
        return _store.TryOpenRead(Digest, Size)
            ?? throw new IOException($"blob {Digest} vanished from the cache at {_store.Root} while it was being opened");
    }

    /// <inheritdoc />
    public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        var compressed = await OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
        return new DigestVerifyingStream(LayerCompressionCodec.Decompress(compressed, MediaType), DiffId, expectedSize: null);
    }
}
