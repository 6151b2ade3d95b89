using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>One tar header of a layer, without its content: what a tree of the image needs.</summary>
/// <param name="Type">The entry's type.</param>
/// <param name="Name">The entry's name as the tar holds it.</param>
/// <param name="Mode">Its permission bits.</param>
/// <param name="Uid">Its owner.</param>
/// <param name="Gid">Its group.</param>
/// <param name="ModificationTime">Its modification time.</param>
/// <param name="Length">The length of its content (regular files).</param>
/// <param name="LinkName">The target of a symbolic or hard link; empty otherwise.</param>
internal sealed record LayerHeader(
    TarEntryType Type, string Name, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime, long Length, string LinkName);

/// <summary>
/// The tar headers of layers, kept on disk by the layer's digest (<c>ROOT/layer-headers/v1/ALGORITHM/ENCODED</c>), so
/// that a later build learns the tree of a base image (for a <c>WORKDIR</c>, a copy's destination, a
/// <c>COPY --from</c>) without decompressing its layers again: the .NET SDK image's 700 MB take seconds to read, its
/// headers milliseconds. A file is written to a private temporary name and renamed when complete, so several builds
/// may share the folder; each ends with the SHA-256 of what precedes it, and a file that does not match is read as
/// missing (the layer is then read again and the file replaced).
/// </summary>
internal sealed class LayerHeaderCache
{
    // Small layers are read faster than their index files are kept tidy; the base layers that cost seconds are large.
    private const long MinimumLayerSize = 1 << 20;
    private const string Magic = "kaniko-dotnet layer headers v1\n";
    private const string Folder = "layer-headers";
    private const string Version = "v1";

    // Decompressing is the cost of a read: a few at once keep two cores busy while one large layer is read.
    private const int ParallelReads = 3;

    /// <summary>A cache in <paramref name="root"/> (the cache directory, beside the blob store).</summary>
    public LayerHeaderCache(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The cache directory.</summary>
    public string Root { get; }

    /// <summary>Where the headers of the layer with <paramref name="digest"/> are kept.</summary>
    public string PathOf(Digest digest) => Path.Combine(Root, Folder, Version, digest.Algorithm, digest.Encoded);

    /// <summary>
    /// The headers of <paramref name="layer"/>, in the tar's order: from the cache when it has them, else read from
    /// the layer (verified to its end) and stored for the next build when the layer is large enough to be worth it.
    /// </summary>
    public async Task<IReadOnlyList<LayerHeader>> GetAsync(ILayer layer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var cacheable = layer.Size >= MinimumLayerSize;
        if (cacheable && TryLoad(layer.Digest) is { } cached)
        {
            return cached;
        }

        var headers = await ReadAsync(layer, cancellationToken).ConfigureAwait(false);
        if (cacheable)
        {
            Store(layer.Digest, headers);
        }

        return headers;
    }

    /// <summary>
    /// The headers of each of <paramref name="layers"/>, in their order, from <paramref name="cache"/> when given (else
    /// read from the layers): the layers are read at once, a few at a time and the largest first, since each is
    /// downloaded and decompressed on its own; only their merge into a tree has to go bottom first.
    /// </summary>
    public static async Task<IReadOnlyList<LayerHeader>[]> GetAllAsync(LayerHeaderCache? cache, IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var throttle = new SemaphoreSlim(ParallelReads);
        var reads = new Task<IReadOnlyList<LayerHeader>>[layers.Count];
        foreach (var i in Enumerable.Range(0, layers.Count).OrderByDescending(i => layers[i].Size))
        {
            reads[i] = ReadThrottledAsync(layers[i], throttle, stop.Token);
        }

        try
        {
            return await Task.WhenAll(reads).ConfigureAwait(false);
        }
        finally
        {
            // A failed read stops the others; none is left running past the call.
            await stop.CancelAsync().ConfigureAwait(false);
            await ((Task)Task.WhenAll(reads)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        async Task<IReadOnlyList<LayerHeader>> ReadThrottledAsync(ILayer layer, SemaphoreSlim gate, CancellationToken token)
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                // Off the caller's thread: a cached file is parsed synchronously and the next read starts meanwhile.
                return await Task.Run(() => cache is null ? ReadAsync(layer, token) : cache.GetAsync(layer, token), token).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="headers"/>, read by whoever read the whole of <paramref name="layer"/> (and so checked its
    /// digest), for the next <see cref="GetAsync"/>, when the layer is large enough and they are not kept yet.
    /// </summary>
    public void Keep(ILayer layer, IReadOnlyList<LayerHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(headers);
        if (layer.Size >= MinimumLayerSize && !File.Exists(PathOf(layer.Digest)))
        {
            Store(layer.Digest, headers);
        }
    }

    /// <summary>Reads every header of <paramref name="layer"/>'s tar, then the rest of the stream, so its digest is checked.</summary>
    public static async Task<IReadOnlyList<LayerHeader>> ReadAsync(ILayer layer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var headers = new List<LayerHeader>();
        var stream = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Through the newline filter: .NET's reader would split a PAX record at a newline inside a name.
            var reader = PaxNewlineEscapingStream.OpenReader(stream);
            await using (reader.ConfigureAwait(false))
            {
                while (await PaxNewlineEscapingStream.NextEntryAsync(reader, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    headers.Add(Of(entry));
                }
            }

            await stream.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        return headers;
    }

    /// <summary>The header of <paramref name="entry"/>.</summary>
    public static LayerHeader Of(TarEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new LayerHeader(entry.EntryType, entry.Name, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, entry.Length, entry.LinkName ?? "");
    }

    private List<LayerHeader>? TryLoad(Digest digest)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathOf(digest));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var body = bytes.Length - SHA256.HashSizeInBytes;
        if (body < Magic.Length || !SHA256.HashData(bytes.AsSpan(0, body)).AsSpan().SequenceEqual(bytes.AsSpan(body)))
        {
            return null;
        }

        using var reader = new BinaryReader(new MemoryStream(bytes, 0, body, writable: false), Encoding.UTF8);
        if (Encoding.UTF8.GetString(reader.ReadBytes(Magic.Length)) != Magic)
        {
            return null;
        }

        var count = reader.ReadInt32();
        var headers = new List<LayerHeader>(count);
        for (var i = 0; i < count; i++)
        {
            headers.Add(new LayerHeader(
                (TarEntryType)reader.ReadByte(), reader.ReadString(), (UnixFileMode)reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(),
                new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero), reader.ReadInt64(), reader.ReadString()));
        }

        return headers;
    }

    private void Store(Digest digest, IReadOnlyList<LayerHeader> headers)
    {
        var path = PathOf(digest);
        var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Encoding.UTF8.GetBytes(Magic));
            writer.Write(headers.Count);
            foreach (var header in headers)
            {
                writer.Write((byte)header.Type);
                writer.Write(header.Name);
                writer.Write((int)header.Mode);
                writer.Write(header.Uid);
                writer.Write(header.Gid);
                writer.Write(header.ModificationTime.UtcTicks);
                writer.Write(header.Length);
                writer.Write(header.LinkName);
            }
        }

        var body = buffer.ToArray();
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(body);
                file.Write(SHA256.HashData(body));
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written (a read-only or full disk) only costs the next build the same read.
            TryDelete(temporary);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for RemoveStaleIncoming-style cleaning; a stray temporary name is never read.
        }
    }
}
