using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Kaniko.Testing;

/// <summary>One entry of a test layer: a directory, a regular file (from bytes or a host file) or a symbolic link.</summary>
/// <param name="Name">The path inside the image, relative, '/'-separated, without a leading "./"; directories end with '/'.</param>
/// <param name="Type">Directory, RegularFile or SymbolicLink.</param>
/// <param name="Mode">Permission bits, including sticky/setuid bits.</param>
/// <param name="LinkTarget">The target of a symbolic link.</param>
/// <param name="Content">The bytes of a regular file given inline.</param>
/// <param name="SourcePath">A host file whose bytes form a regular file.</param>
public sealed record LayerEntrySpec(
    string Name, TarEntryType Type, UnixFileMode Mode, string? LinkTarget = null, byte[]? Content = null, string? SourcePath = null)
{
    /// <summary>A directory entry (the trailing '/' is added when missing).</summary>
    public static LayerEntrySpec Directory(string name, UnixFileMode mode) =>
        new(name.EndsWith('/') ? name : name + "/", TarEntryType.Directory, mode);

    /// <summary>A regular file with inline content.</summary>
    public static LayerEntrySpec File(string name, UnixFileMode mode, byte[] content) =>
        new(name, TarEntryType.RegularFile, mode, Content: content);

    /// <summary>A regular file copied from the host.</summary>
    public static LayerEntrySpec HostFile(string name, UnixFileMode mode, string sourcePath) =>
        new(name, TarEntryType.RegularFile, mode, SourcePath: sourcePath);

    /// <summary>A symbolic link (mode 0777, as Linux reports links).</summary>
    public static LayerEntrySpec Symlink(string name, string target) =>
        new(name, TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, LinkTarget: target);
}

/// <summary>A gzip-compressed layer blob with both of its digests.</summary>
/// <param name="Compressed">The gzip bytes (the blob).</param>
/// <param name="Digest">sha256 of <paramref name="Compressed"/>, e.g. <c>sha256:ab…</c>.</param>
/// <param name="DiffId">sha256 of the uncompressed tar (the config's rootfs.diff_ids entry).</param>
/// <param name="UncompressedSize">Size of the tar in bytes.</param>
public sealed record LayerBlob(byte[] Compressed, string Digest, string DiffId, long UncompressedSize);

/// <summary>
/// Writes reproducible layer tars: entries sorted by name, ustar headers, owner 0:0 with no user or group names,
/// and one fixed modification time, so the same inputs always give the same digests.
/// </summary>
public static class ReproducibleLayer
{
    /// <summary>The modification time of every entry: 2024-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset ModificationTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Builds the tar of <paramref name="entries"/>, gzips it and computes both digests.</summary>
    public static async Task<LayerBlob> CreateAsync(IEnumerable<LayerEntrySpec> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            // Ordinal order puts every directory ("bin/") before its children ("bin/sh").
            foreach (var spec in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                await WriteEntryAsync(writer, spec, cancellationToken).ConfigureAwait(false);
            }
        }

        var tarBytes = tar.ToArray();
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            await gzip.WriteAsync(tarBytes, cancellationToken).ConfigureAwait(false);
        }

        var blob = compressed.ToArray();
        return new LayerBlob(blob, Sha256(blob), Sha256(tarBytes), tarBytes.LongLength);
    }

    /// <summary>The entries of the gzip layer blob at <paramref name="blobPath"/> (their metadata; the content is not kept).</summary>
    public static List<TarEntry> ReadEntries(string blobPath)
    {
        using var gzip = new GZipStream(File.OpenRead(blobPath), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry() is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>The OCI digest string (<c>sha256:HEX</c>) of <paramref name="bytes"/>.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task WriteEntryAsync(TarWriter writer, LayerEntrySpec spec, CancellationToken cancellationToken)
    {
        var entry = new UstarTarEntry(spec.Type, spec.Name)
        {
            Mode = spec.Mode,
            Uid = 0,
            Gid = 0,
            ModificationTime = ModificationTime,
        };
        Stream? content = null;
        try
        {
            switch (spec.Type)
            {
                case TarEntryType.SymbolicLink:
                    entry.LinkName = spec.LinkTarget ?? throw new ArgumentException("a symbolic link needs a target: " + spec.Name, nameof(spec));
                    break;
                case TarEntryType.RegularFile when spec.SourcePath is not null:
                    content = File.OpenRead(spec.SourcePath);
                    break;
                case TarEntryType.RegularFile:
                    content = new MemoryStream(spec.Content ?? []);
                    break;
                case TarEntryType.Directory:
                    break;
                default:
                    throw new ArgumentException($"unsupported entry type {spec.Type} for {spec.Name}", nameof(spec));
            }

            if (content is not null)
            {
                entry.DataStream = content;
            }

            await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (content is not null)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
