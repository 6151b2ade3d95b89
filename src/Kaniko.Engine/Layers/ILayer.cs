using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>A layer blob; the streams it opens are verified against <see cref="Digest"/> and <see cref="DiffId"/>.</summary>
public interface ILayer
{
    /// <summary>The digest of the compressed blob.</summary>
    Digest Digest { get; }

    /// <summary>The digest of the uncompressed tar.</summary>
    Digest DiffId { get; }

    /// <summary>The size of the compressed blob in bytes.</summary>
    long Size { get; }

    /// <summary>The media type of the blob.</summary>
    MediaType MediaType { get; }

    /// <summary>Opens the compressed blob.</summary>
    Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken);

    /// <summary>Opens the uncompressed tar.</summary>
    Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken);
}
