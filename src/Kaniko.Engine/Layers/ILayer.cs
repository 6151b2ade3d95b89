using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A layer blob: the compressed tar an image manifest lists, and the uncompressed tar its config's
/// <c>rootfs.diff_ids</c> names. Implementations may fetch the content lazily (a remote layer is a digest and a way
/// to download it); every stream they return is verified against <see cref="Digest"/> or <see cref="DiffId"/>, so a
/// consumer that reads to the end has seen exactly the promised bytes.
/// </summary>
internal interface ILayer
{
    /// <summary>The digest of the compressed blob, as the manifest's layer descriptor carries it.</summary>
    Digest Digest { get; }

    /// <summary>The digest of the uncompressed tar, as the config's <c>rootfs.diff_ids</c> carries it.</summary>
    Digest DiffId { get; }

    /// <summary>The size of the compressed blob in bytes.</summary>
    long Size { get; }

    /// <summary>The blob's media type, for example <see cref="MediaType.OciLayerGzip"/>.</summary>
    MediaType MediaType { get; }

    /// <summary>Opens the compressed blob, verified against <see cref="Digest"/> and <see cref="Size"/>.</summary>
    /// <param name="cancellationToken">Cancels the open (and a download it starts).</param>
    Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);

    /// <summary>Opens the uncompressed tar, verified against <see cref="DiffId"/>.</summary>
    /// <param name="cancellationToken">Cancels the open (and a download it starts).</param>
    Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken);
}
