using System.IO.Compression;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// Decides, as BuildKit's <c>isArchivePath</c> does, whether a file ADD copies is a tar archive to unpack: by its
/// content, never its name. The first bytes pick a decompressor (gzip, bzip2, xz, zstd or none), and the file is an
/// archive when the first 512 bytes after decompression are a tar header with a valid checksum (what Go's
/// <c>tar.Reader.Next</c> needs to succeed). Anything else, including an empty file, is copied as a plain file.
/// </summary>
internal static class ArchiveDetector
{
    /// <summary>The size of a tar header block.</summary>
    public const int TarBlockSize = 512;

    /// <summary>How many leading bytes <see cref="DetectCompression"/> looks at.</summary>
    public const int MagicLength = 6;

    private const int ChecksumOffset = 148;
    private const int ChecksumLength = 8;

    /// <summary>The compression whose magic bytes start <paramref name="header"/>, or <see cref="ArchiveCompression.None"/>.</summary>
    public static ArchiveCompression DetectCompression(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B, 0x08]))
        {
            return ArchiveCompression.Gzip;
        }

        if (header.StartsWith("BZh"u8))
        {
            return ArchiveCompression.Bzip2;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]))
        {
            return ArchiveCompression.Xz;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD])
            || (header.Length >= 4 && (header[0] & 0xF0) == 0x50 && header[1] == 0x2A && header[2] == 0x4D && header[3] == 0x18))
        {
            return ArchiveCompression.Zstd;
        }

        return ArchiveCompression.None;
    }

    /// <summary>
    /// A stream of the bytes inside <paramref name="compressed"/> for <paramref name="compression"/>. Disposing it
    /// disposes <paramref name="compressed"/>.
    /// </summary>
    public static Stream OpenDecompressed(Stream compressed, ArchiveCompression compression)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        return compression switch
        {
            ArchiveCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false),
            ArchiveCompression.Bzip2 => new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(compressed) { IsStreamOwner = true },
            ArchiveCompression.Xz => new OwningStream(new SharpCompress.Compressors.Xz.XZStream(compressed), compressed),
            ArchiveCompression.Zstd => new ZstdSharp.DecompressionStream(compressed, leaveOpen: false),
            _ => compressed,
        };
    }

    /// <summary>
    /// Opens <paramref name="source"/> (read from its start) decompressed by its magic bytes. Disposing the result
    /// disposes <paramref name="source"/>.
    /// </summary>
    public static Stream OpenDecompressed(Stream source, out ArchiveCompression compression)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffered = source.CanSeek ? source : new BufferedStream(source, 64 * 1024);
        Span<byte> magic = stackalloc byte[MagicLength];
        var read = buffered.ReadAtLeast(magic, MagicLength, throwOnEndOfStream: false);
        if (buffered.CanSeek)
        {
            buffered.Seek(-read, SeekOrigin.Current);
        }
        else
        {
            buffered = new PrefixedStream(magic[..read].ToArray(), buffered);
        }

        compression = DetectCompression(magic[..read]);
        return OpenDecompressed(buffered, compression);
    }

    /// <summary>Whether the host file <paramref name="hostPath"/> is a (possibly compressed) tar archive ADD unpacks.</summary>
    public static bool IsArchive(string hostPath)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        var info = new FileInfo(hostPath);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return false;
        }

        using var file = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
        return IsArchive(file);
    }

    /// <summary>Whether <paramref name="content"/> (read from its current position, then left open) is a tar archive.</summary>
    public static bool IsArchive(Stream content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var block = new byte[TarBlockSize];
        try
        {
            using var decompressed = OpenDecompressed(new NonClosingStream(content), out _);
            var read = decompressed.ReadAtLeast(block, TarBlockSize, throwOnEndOfStream: false);
            return read == TarBlockSize && IsTarHeader(block);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException
            or ArgumentException or NotSupportedException or ICSharpCode.SharpZipLib.SharpZipBaseException
            or ZstdSharp.ZstdException or SharpCompress.Common.SharpCompressException)
        {
            // A stream that starts like a compression but does not decompress is not an archive: Docker copies it.
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="block"/> is a tar header Go's reader accepts: not all zeros, and its checksum field
    /// matches the unsigned or the signed sum of the block (with the field itself counted as spaces). Headers
    /// without a ustar, GNU or PAX magic (V7) pass too, as Go reads them.
    /// </summary>
    public static bool IsTarHeader(ReadOnlySpan<byte> block)
    {
        if (block.Length < TarBlockSize || !block[..TarBlockSize].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        if (!TryParseOctal(block.Slice(ChecksumOffset, ChecksumLength), out var stored))
        {
            return false;
        }

        long unsigned = 0;
        long signed = 0;
        for (var i = 0; i < TarBlockSize; i++)
        {
            var value = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += value;
            signed += (sbyte)value;
        }

        return stored == unsigned || stored == signed;
    }

    private static bool TryParseOctal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        var trimmed = field.Trim((ReadOnlySpan<byte>)[(byte)' ', 0]);
        if (trimmed.IsEmpty)
        {
            return false;
        }

        foreach (var digit in trimmed)
        {
            if (digit is < (byte)'0' or > (byte)'7')
            {
                return false;
            }

            value = (value * 8) + (digit - '0');
        }

        return true;
    }
}
