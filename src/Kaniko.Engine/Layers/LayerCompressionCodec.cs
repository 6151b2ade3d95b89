using System.Globalization;
using System.IO.Compression;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>Maps compressions to media types and opens compressing and decompressing streams for layer blobs.</summary>
internal static class LayerCompressionCodec
{
    /// <summary>The gzip level used when none is given: zlib's default, what <c>gzip</c> and most builders use.</summary>
    public const int DefaultGzipLevel = 6;

    /// <summary>The zstd level used when none is given: the library's default.</summary>
    public const int DefaultZstdLevel = 3;

    /// <summary>The OCI media type of a layer compressed with <paramref name="compression"/>.</summary>
    public static MediaType OciMediaType(LayerCompression compression) => compression switch
    {
        LayerCompression.Zstd => MediaType.OciLayerZstd,
        _ => MediaType.OciLayerGzip,
    };

    /// <summary>
    /// Checks <paramref name="level"/> (null for the default) and returns the level to use: gzip takes 0–9, zstd
    /// the library's range (negative "fast" levels up to 22; 0 means its default). Throws <c>KANIKO3305</c> when out of range.
    /// </summary>
    public static int ResolveLevel(LayerCompression compression, int? level)
    {
        var (minimum, maximum, fallback) = compression switch
        {
            LayerCompression.Zstd => (ZstdSharp.Compressor.MinCompressionLevel, ZstdSharp.Compressor.MaxCompressionLevel, DefaultZstdLevel),
            _ => (0, 9, DefaultGzipLevel),
        };
        if (level is not { } given)
        {
            return fallback;
        }

        return given >= minimum && given <= maximum
            ? given
            : throw new KanikoException(
                DiagnosticCodes.InvalidCompressionLevel,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidCompressionLevel, given, compression.ToString().ToLowerInvariant(), minimum, maximum));
    }

    /// <summary>
    /// A stream that compresses what is written to it into <paramref name="destination"/> (left open). The bytes are
    /// the same on every platform: gzip's header names Unix as the writing system on Windows and macOS too.
    /// </summary>
    public static Stream Compress(Stream destination, LayerCompression compression, int? level = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var resolved = ResolveLevel(compression, level);
        return compression switch
        {
            LayerCompression.Zstd => new ZstdSharp.CompressionStream(destination, resolved, leaveOpen: true),
            _ => new GZipStream(new GzipHeaderNormalizingStream(destination), new ZLibCompressionOptions { CompressionLevel = resolved }, leaveOpen: true),
        };
    }

    /// <summary>
    /// A stream of the uncompressed tar inside <paramref name="compressed"/>, by the layer's media type (gzip, zstd,
    /// or none). Disposing it disposes <paramref name="compressed"/>. Throws <c>KANIKO3304</c> for other media types.
    /// </summary>
    public static Stream Decompress(Stream compressed, MediaType mediaType)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        if (mediaType.IsGzip)
        {
            return new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false);
        }

        if (mediaType.IsZstd)
        {
            return new ZstdSharp.DecompressionStream(compressed, leaveOpen: false);
        }

        if (IsUncompressed(mediaType))
        {
            return compressed;
        }

        throw new KanikoException(
            DiagnosticCodes.UnsupportedLayerMediaType,
            string.Format(CultureInfo.InvariantCulture, Strings.UnsupportedLayerMediaType, mediaType));
    }

    /// <summary>True for the plain tar layer types, whose blob is its own uncompressed form.</summary>
    public static bool IsUncompressed(MediaType mediaType) =>
        mediaType == MediaType.OciLayer || mediaType == MediaType.DockerLayer || mediaType == MediaType.OciLayerNondistributable;
}
