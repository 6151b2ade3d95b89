using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// Writes a layer blob from a list of entries: a POSIX tar, ustar headers with PAX records where an entry needs
/// them (long names, big ids, fine times; never GNU extensions) with the entries sorted by name, compressed, hashed before and after compression in the same single
/// pass, streamed to a temporary file that is then renamed to its digest. Nothing is held in memory but buffers, so
/// the size of a layer is bounded by the disk, and the same entries always give the same digests.
/// </summary>
internal sealed class LayerWriter
{
    private const int CopyBufferSize = 128 * 1024;

    private readonly LayerWriterOptions _options;

    /// <summary>Creates a writer; checks the compression level at once (<c>KANIKO3305</c>).</summary>
    public LayerWriter(LayerWriterOptions? options = null)
    {
        _options = options ?? LayerWriterOptions.Default;
        LayerCompressionCodec.ResolveLevel(_options.Compression, _options.CompressionLevel);
    }

    /// <summary>The media type of the layers this writer produces.</summary>
    public MediaType MediaType => LayerCompressionCodec.OciMediaType(_options.Compression);

    /// <summary>
    /// Writes <paramref name="entries"/> as a layer into <paramref name="directory"/> (created when missing), as a
    /// file named by the hex of its digest. Writing the same layer twice leaves the first file in place.
    /// </summary>
    /// <param name="entries">The entries, in any order; two entries with the same tar name are refused (<c>KANIKO3302</c>).</param>
    /// <param name="directory">Where the blob goes, for example an OCI layout's <c>blobs/sha256</c>.</param>
    /// <param name="cancellationToken">Stops the writing; the temporary file is removed.</param>
    public Task<FileBackedLayer> WriteAsync(IEnumerable<LayerEntry> entries, string directory, CancellationToken cancellationToken = default) =>
        WriteAsync(entries, directory, compress: true, cancellationToken);

    /// <summary>
    /// Writes <paramref name="entries"/> as a plain tar layer (<see cref="MediaType.OciLayer"/>, its digest its diff
    /// id) into <paramref name="directory"/>: for a layer only this build reads (a stage no output holds), which
    /// then costs no compression. <see cref="CompressAsync"/> makes the blob <see cref="WriteAsync(IEnumerable{LayerEntry}, string, CancellationToken)"/>
    /// would have written, byte for byte, when it is needed after all (a layer cache).
    /// </summary>
    /// <param name="entries">The entries, in any order; two entries with the same tar name are refused (<c>KANIKO3302</c>).</param>
    /// <param name="directory">Where the tar goes.</param>
    /// <param name="cancellationToken">Stops the writing; the temporary file is removed.</param>
    public Task<FileBackedLayer> WriteUncompressedAsync(IEnumerable<LayerEntry> entries, string directory, CancellationToken cancellationToken = default) =>
        WriteAsync(entries, directory, compress: false, cancellationToken);

    /// <summary>
    /// Compresses the tar of <paramref name="layer"/> (read verified against its diff id) as this writer compresses
    /// layers, into <paramref name="directory"/>. The compressor sees the very bytes <see cref="WriteAsync(IEnumerable{LayerEntry}, string, CancellationToken)"/>
    /// feeds it, so the blob and its digest are the same as if the layer had been written compressed at once.
    /// </summary>
    /// <param name="layer">A layer, typically one of <see cref="WriteUncompressedAsync"/>.</param>
    /// <param name="directory">Where the compressed blob goes.</param>
    /// <param name="cancellationToken">Stops the compression; the temporary file is removed.</param>
    public async Task<FileBackedLayer> CompressAsync(ILayer layer, string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(directory);
        var tar = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using (tar.ConfigureAwait(false))
        {
            var written = await WriteBlobAsync(
                directory, compress: true, (destination, token) => new ValueTask(tar.CopyToAsync(destination, CopyBufferSize, token)), cancellationToken).ConfigureAwait(false);
            // The verifying stream has checked the tar read against the diff id, so the two digests agree.
            return written.DiffId == layer.DiffId
                ? written
                : throw new InvalidDataException(string.Format(CultureInfo.InvariantCulture, "layer {0} read as {1}", layer.DiffId, written.DiffId));
        }
    }

    private Task<FileBackedLayer> WriteAsync(IEnumerable<LayerEntry> entries, string directory, bool compress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(directory);
        var ordered = Order(entries);
        return WriteBlobAsync(directory, compress, async (destination, token) =>
        {
            var normalizer = new PaxHeaderNameNormalizingStream(destination);
            await using (normalizer.ConfigureAwait(false))
            {
                var tar = new TarWriter(normalizer, TarEntryFormat.Pax, leaveOpen: true);
                await using (tar.ConfigureAwait(false))
                {
                    foreach (var (name, entry) in ordered)
                    {
                        await WriteEntryAsync(tar, name, entry, token).ConfigureAwait(false);
                    }
                }
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Streams the tar <paramref name="writeTar"/> writes through the diff id's hash and, when
    /// <paramref name="compress"/>, the compressor and the digest's hash, into a temporary file renamed to its digest.
    /// </summary>
    private async Task<FileBackedLayer> WriteBlobAsync(
        string directory, bool compress, Func<Stream, CancellationToken, ValueTask> writeTar, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Guid.NewGuid().ToString("N") + ".partial");
        try
        {
            Digest digest, diffId;
            long size;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                var compressedHash = new HashingWriteStream(file, leaveOpen: true);
                await using (compressedHash.ConfigureAwait(false))
                {
                    // Disposing the compressor writes its last block and trailer; without one the tar goes straight to the file.
                    var compressor = compress ? LayerCompressionCodec.Compress(compressedHash, _options.Compression, _options.CompressionLevel) : Stream.Null;
                    await using (compressor.ConfigureAwait(false))
                    {
                        // Fixed blocks: the compressor's output then depends on the tar's bytes only, not on how they came.
                        var blocks = new FixedBlockWriteStream(compress ? compressor : compressedHash, CopyBufferSize);
                        await using (blocks.ConfigureAwait(false))
                        {
                            var uncompressedHash = new HashingWriteStream(blocks, leaveOpen: true);
                            await using (uncompressedHash.ConfigureAwait(false))
                            {
                                await writeTar(uncompressedHash, cancellationToken).ConfigureAwait(false);
                                diffId = uncompressedHash.GetDigest();
                            }

                            await blocks.CompleteAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    await compressedHash.FlushAsync(cancellationToken).ConfigureAwait(false);
                    digest = compressedHash.GetDigest();
                    size = compressedHash.BytesWritten;
                }
            }

            var final = Path.Combine(directory, digest.Encoded);
            PublishBlob(temporary, final);
            return new FileBackedLayer(final, compress ? MediaType : MediaType.OciLayer, digest, diffId, size);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Moves a finished temporary file to its content-addressed name. The name is the content, so a file already
    /// there is the same blob and is kept (another writer may be reading it).
    /// </summary>
    internal static void PublishBlob(string temporary, string final)
    {
        if (File.Exists(final))
        {
            return;
        }

        try
        {
            File.Move(temporary, final, overwrite: false);
        }
        catch (IOException) when (File.Exists(final))
        {
            // Another writer published the same content first.
        }
    }

    /// <summary>
    /// Sorts entries by tar name (ordinal, so a directory comes before what it holds) and moves each hard link after
    /// its target when the target sorts later, because an extractor links to what it has already written.
    /// </summary>
    internal static List<(string Name, LayerEntry Entry)> Order(IEnumerable<LayerEntry> entries)
    {
        var named = new SortedDictionary<string, LayerEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            ArgumentNullException.ThrowIfNull(entry);
            var name = entry.TarName;
            if (!named.TryAdd(name, entry))
            {
                throw new KanikoException(
                    DiagnosticCodes.DuplicateLayerEntry,
                    string.Format(CultureInfo.InvariantCulture, Strings.DuplicateLayerEntry, name));
            }
        }

        var ordered = new List<(string Name, LayerEntry Entry)>(named.Count);
        var waiting = new Dictionary<string, List<(string, LayerEntry)>>(StringComparer.Ordinal);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, entry) in named)
        {
            if (entry.Type == LayerEntryType.HardLink)
            {
                var target = LayerEntry.NormalizePath(entry.LinkTarget ?? string.Empty);
                if (!written.Contains(target) && named.ContainsKey(target))
                {
                    if (!waiting.TryGetValue(target, out var list))
                    {
                        waiting[target] = list = [];
                    }

                    list.Add((name, entry));
                    continue;
                }
            }

            Emit(name, entry);
        }

        return ordered;

        void Emit(string name, LayerEntry entry)
        {
            ordered.Add((name, entry));
            written.Add(name);
            if (waiting.Remove(name, out var links))
            {
                foreach (var (linkName, link) in links)
                {
                    Emit(linkName, link);
                }
            }
        }
    }

    private static async Task WriteEntryAsync(TarWriter tar, string name, LayerEntry entry, CancellationToken cancellationToken)
    {
        var type = entry.Type switch
        {
            LayerEntryType.Directory => TarEntryType.Directory,
            LayerEntryType.SymbolicLink => TarEntryType.SymbolicLink,
            LayerEntryType.HardLink => TarEntryType.HardLink,
            _ => TarEntryType.RegularFile,
        };
        var linkName = entry.Type switch
        {
            LayerEntryType.SymbolicLink => entry.LinkTarget ?? throw MissingLinkTarget(name),
            LayerEntryType.HardLink => LayerEntry.NormalizePath(entry.LinkTarget ?? throw MissingLinkTarget(name)),
            _ => null,
        };
        PosixTarEntry header = FitsUstar(name, linkName, entry) ? new UstarTarEntry(type, name) : new PaxTarEntry(type, name);
        header.Mode = entry.Type is LayerEntryType.Whiteout or LayerEntryType.OpaqueWhiteout ? LayerEntry.DefaultFileMode : entry.Mode;
        header.Uid = entry.Uid;
        header.Gid = entry.Gid;
        header.UserName = entry.UserName ?? string.Empty;
        header.GroupName = entry.GroupName ?? string.Empty;
        header.ModificationTime = entry.ModificationTime;
        if (linkName is not null)
        {
            header.LinkName = linkName;
        }

        if (entry is { Type: LayerEntryType.RegularFile, OpenContent: { } open })
        {
            var content = new ExactLengthReadStream(await open(cancellationToken).ConfigureAwait(false), entry.Size, name);
            await using (content.ConfigureAwait(false))
            {
                header.DataStream = content;
                await tar.WriteEntryAsync(header, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (entry is { Type: LayerEntryType.RegularFile, Size: not 0 })
        {
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "entry '{0}' has a size but no content", name), nameof(entry));
        }
        else
        {
            await tar.WriteEntryAsync(header, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a plain ustar header holds the entry exactly, as Go's archive/tar decides: it does for most entries,
    /// and PAX records (long or non-ASCII names, big ids and sizes, sub-second times) are added only where needed.
    /// </summary>
    private static bool FitsUstar(string name, string? linkName, LayerEntry entry)
    {
        const long MaxOctal7 = 0x1FFFFF; // 7 octal digits
        const long MaxOctal11 = 0x1FFFFFFFF; // 11 octal digits
        var seconds = entry.ModificationTime.ToUnixTimeSeconds();
        return name.Length <= 100 && Ascii.IsValid(name)
            && (linkName is null || (linkName.Length <= 100 && Ascii.IsValid(linkName)))
            && entry.Uid is >= 0 and <= (int)MaxOctal7 && entry.Gid is >= 0 and <= (int)MaxOctal7
            && (entry.UserName ?? string.Empty).Length <= 32 && Ascii.IsValid(entry.UserName ?? string.Empty)
            && (entry.GroupName ?? string.Empty).Length <= 32 && Ascii.IsValid(entry.GroupName ?? string.Empty)
            && entry.Size <= MaxOctal11
            && seconds is >= 0 and <= MaxOctal11 && DateTimeOffset.FromUnixTimeSeconds(seconds) == entry.ModificationTime;
    }

    private static ArgumentException MissingLinkTarget(string name) =>
        new(string.Format(CultureInfo.InvariantCulture, "link '{0}' has no target", name), nameof(LayerEntry.LinkTarget));
}
