using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A layer whose compressed blob is a local file and whose digests are known: one written by
/// <see cref="LayerWriter"/>, a cached blob, or a blob of an OCI layout. Every stream it opens is verified, so a file
/// changed or damaged on disk is noticed by whoever reads it to the end.
/// </summary>
internal sealed class FileBackedLayer : BlobLayer
{
    private const int BufferSize = 128 * 1024;

    /// <summary>Describes the blob in <paramref name="path"/>; nothing is read until a stream is opened.</summary>
    /// <param name="path">The compressed blob.</param>
    /// <param name="mediaType">Its media type, which says how to decompress it.</param>
    /// <param name="digest">The digest of the blob.</param>
    /// <param name="diffId">The digest of the uncompressed tar.</param>
    /// <param name="size">The size of the blob in bytes.</param>
    public FileBackedLayer(string path, MediaType mediaType, Digest digest, Digest diffId, long size)
        : base(digest, diffId, size, mediaType)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        FilePath = path;
    }

    /// <summary>The blob's file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Describes an existing blob file whose digests are not known yet, computing both by reading it once
    /// (decompressing it by <paramref name="mediaType"/>).
    /// </summary>
    public static async Task<FileBackedLayer> FromFileAsync(string path, MediaType mediaType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        Digest digest;
        long size;
        var file = OpenFile(path);
        await using (file.ConfigureAwait(false))
        {
            size = file.Length;
            digest = await Digest.ComputeAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var uncompressed = LayerCompressionCodec.Decompress(OpenFile(path), mediaType);
        await using (uncompressed.ConfigureAwait(false))
        {
            var diffId = await Digest.ComputeAsync(uncompressed, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new FileBackedLayer(path, mediaType, digest, diffId, size);
        }
    }

    /// <inheritdoc />
    public override Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new DigestVerifyingStream(OpenFile(FilePath), Digest, Size));

    /// <inheritdoc />
    public override Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
    {
        // The compressed bytes are not hashed on this path: the diff id covers the content, and a decompressor need
        // not read the blob's last bytes (gzip trailers, padding), so a compressed check could not always finish.
        var uncompressed = LayerCompressionCodec.Decompress(OpenFile(FilePath), MediaType);
        return Task.FromResult<Stream>(new DigestVerifyingStream(uncompressed, DiffId, expectedSize: null));
    }

    /// <summary>The file path, media type and digest, for messages.</summary>
    public override string ToString() => $"{Digest} ({MediaType}) at {FilePath}";

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan | FileOptions.Asynchronous);
}
