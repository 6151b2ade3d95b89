using System.Formats.Tar;
using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// The filesystem an image's layers make, read into a folder so that <c>COPY --from</c> can copy from it with the
/// same rules as from the build context: the layers are applied bottom first, whiteouts and opaque directories
/// remove what lies below, and each regular file's content is kept in a private file (its metadata stays in the
/// entries, not on disk, so no mode or owner of the image can stop the reading), unpacked one layer at a time when a
/// file of that layer is first read. Owners are kept per path, because
/// BuildKit preserves them when copying from a stage or an image.
/// </summary>
internal sealed class ImageSnapshot : IBuildContext
{
    private readonly Dictionary<string, Node> _nodes;
    private readonly string _directory;
    private readonly IReadOnlyList<ILayer> _layers;
    private readonly HashSet<ContentRef> _linkedContent;
    private readonly HashSet<int> _extracted = [];
    private readonly Lock _extracting = new();
    private readonly CancellationToken _cancellationToken;

    private ImageSnapshot(string description, string directory, IReadOnlyList<ILayer> layers, Dictionary<string, Node> nodes, CancellationToken cancellationToken)
    {
        Description = description;
        _directory = directory;
        _layers = layers;
        _nodes = nodes;
        _cancellationToken = cancellationToken;
        // A content held by two paths came from a hard link entry: the paths are one inode in the image.
        _linkedContent = nodes.Values.Where(n => n.Content is not null).GroupBy(n => n.Content!.Value)
            .Where(g => g.Skip(1).Any()).Select(g => g.Key).ToHashSet();
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public DockerIgnoreMatcher Ignore => DockerIgnoreMatcher.Empty;

    /// <summary>Reads <paramref name="layers"/> (bottom first) into <paramref name="directory"/>, which must be new or empty.</summary>
    /// <param name="description">What the snapshot is, for messages (for example <c>stage build</c>).</param>
    /// <param name="layers">The image's layers, in manifest order.</param>
    /// <param name="directory">Where the files' content goes.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    public static Task<ImageSnapshot> ReadAsync(string description, IReadOnlyList<ILayer> layers, string directory, CancellationToken cancellationToken) =>
        ReadAsync(description, layers, directory, headers: null, cancellationToken);

    /// <summary>
    /// Reads the tree of <paramref name="layers"/> (bottom first) from their headers, taken from
    /// <paramref name="headers"/> when it has them. The content of a layer's files is unpacked into
    /// <paramref name="directory"/> (new or empty) only when one of them is first read: a <c>COPY --from=build /app</c>
    /// reads the build stage's own small layers, never the SDK image's hundreds of megabytes below them.
    /// </summary>
    /// <param name="description">What the snapshot is, for messages (for example <c>stage build</c>).</param>
    /// <param name="layers">The image's layers, in manifest order.</param>
    /// <param name="directory">Where the files' content goes.</param>
    /// <param name="headers">The layers' headers kept between builds, or <c>null</c> to read every layer's.</param>
    /// <param name="cancellationToken">Stops the reading, and the unpacking of content later.</param>
    public static async Task<ImageSnapshot> ReadAsync(
        string description, IReadOnlyList<ILayer> layers, string directory, LayerHeaderCache? headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var nodes = await ReadNodesAsync(layers, withContent: true, headers, null, cancellationToken).ConfigureAwait(false);
        return new ImageSnapshot(description, directory, [.. layers], nodes, cancellationToken);
    }

    /// <summary>
    /// Reads the files of a stage from the layers above the ones that had nothing at <paramref name="freshDirectories"/>
    /// (relative paths, without a leading <c>/</c>): <paramref name="layers"/> are those upper layers only, so a
    /// <c>COPY --from</c> of a folder a step made reads neither the headers nor the content of the base below it.
    /// Null when such a snapshot could differ from the stage's below those directories: a symbolic link there (it
    /// may lead into the layers left out), or a hard link to a file of the layers left out.
    /// </summary>
    public static async Task<ImageSnapshot?> ReadAboveAsync(
        string description, IReadOnlyList<ILayer> layers, string directory, LayerHeaderCache? headers, IReadOnlyList<string> freshDirectories,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(freshDirectories);
        var dangling = new List<string>();
        var nodes = await ReadNodesAsync(layers, withContent: true, headers, dangling, cancellationToken).ConfigureAwait(false);
        var linked = nodes.Any(n => n.Value.Kind == ContextEntryKind.SymbolicLink && freshDirectories.Any(d => IsAtOrBelow(n.Key, d)));
        if (dangling.Count > 0 || linked)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        return new ImageSnapshot(description, directory, [.. layers], nodes, cancellationToken);
    }

    private static bool IsAtOrBelow(string path, string directory) =>
        path == directory || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>
    /// The directories of the filesystem <paramref name="layers"/> make (bottom first), with their mode and owner,
    /// and its symbolic links with their targets, from the tar headers alone (taken from <paramref name="headers"/>
    /// when it has them); paths are relative, without a leading <c>/</c>.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, (UnixFileMode Mode, CopyOwner Owner)> Directories, IReadOnlyDictionary<string, string> Links)> ReadTreeAsync(
        IReadOnlyList<ILayer> layers, LayerHeaderCache? headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var nodes = await ReadNodesAsync(layers, withContent: false, headers, null, cancellationToken).ConfigureAwait(false);
        var directories = nodes.Where(n => n.Value.Kind == ContextEntryKind.Directory)
            .ToDictionary(n => n.Key, n => (n.Value.Mode, new CopyOwner(n.Value.Uid, n.Value.Gid)), StringComparer.Ordinal);
        var links = nodes.Where(n => n.Value.Kind == ContextEntryKind.SymbolicLink)
            .ToDictionary(n => n.Key, n => n.Value.LinkTarget ?? "", StringComparer.Ordinal);
        return (directories, links);
    }

    private static async Task<Dictionary<string, Node>> ReadNodesAsync(
        IReadOnlyList<ILayer> layers, bool withContent, LayerHeaderCache? headerCache, List<string>? dangling, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        var allHeaders = await LayerHeaderCache.GetAllAsync(headerCache, layers, cancellationToken).ConfigureAwait(false);
        for (var layerIndex = 0; layerIndex < layers.Count; layerIndex++)
        {
            var headers = allHeaders[layerIndex];
            var added = new List<(string Path, Node Node)>();
            var removed = new List<string>();
            var opaque = new List<string>();
            for (var ordinal = 0; ordinal < headers.Count; ordinal++)
            {
                var entry = headers[ordinal];
                var path = Normalize(entry.Name);
                if (path.Length == 0)
                {
                    continue;
                }

                var slash = path.LastIndexOf('/');
                var parent = slash < 0 ? "" : path[..slash];
                var name = path[(slash + 1)..];
                if (name == LayerEntry.OpaqueWhiteoutName)
                {
                    opaque.Add(parent);
                    continue;
                }

                if (name.StartsWith(LayerEntry.WhiteoutPrefix, StringComparison.Ordinal))
                {
                    removed.Add((parent.Length == 0 ? "" : parent + "/") + name[LayerEntry.WhiteoutPrefix.Length..]);
                    continue;
                }

                var node = new Node(entry.Type switch
                {
                    TarEntryType.Directory => ContextEntryKind.Directory,
                    TarEntryType.SymbolicLink => ContextEntryKind.SymbolicLink,
                    _ => ContextEntryKind.File,
                }, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, entry.Type == TarEntryType.SymbolicLink ? entry.LinkName : null, 0, null);
                if (!withContent)
                {
                    // Only the tree is wanted: files count for their names.
                    if (node.Kind == ContextEntryKind.File && entry.Type is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.HardLink))
                    {
                        continue;
                    }
                }
                else if (entry.Type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                {
                    node = node with { Size = entry.Length, Content = new ContentRef(layerIndex, ordinal, entry.Name) };
                }
                else if (entry.Type == TarEntryType.HardLink)
                {
                    var target = Normalize(entry.LinkName);
                    var linked = added.LastOrDefault(a => a.Path == target).Node ?? nodes.GetValueOrDefault(target);
                    if (linked?.Content is null)
                    {
                        dangling?.Add(path);
                        continue;
                    }

                    node = node with { Size = linked.Size, Content = linked.Content };
                }
                else if (node.Kind == ContextEntryKind.File)
                {
                    // Devices and FIFOs cannot be copied from a context either.
                    continue;
                }

                added.Add((path, node));
            }

            // A layer's whiteouts hide the lower layers only, so they apply before its own entries.
            foreach (var directoryPath in opaque)
            {
                RemoveBelow(nodes, directoryPath, includeSelf: false);
            }

            foreach (var path in removed)
            {
                RemoveBelow(nodes, path, includeSelf: true);
            }

            foreach (var (path, node) in added)
            {
                if (node.Kind != ContextEntryKind.Directory && nodes.GetValueOrDefault(path)?.Kind == ContextEntryKind.Directory)
                {
                    RemoveBelow(nodes, path, includeSelf: true);
                }

                nodes[path] = node;
            }
        }

        AddMissingParents(nodes);
        return nodes;
    }

    /// <summary>The owner of the entry at <paramref name="relativePath"/>, or root when unknown.</summary>
    public CopyOwner OwnerOf(string relativePath) =>
        _nodes.TryGetValue(relativePath, out var node) ? new CopyOwner(node.Uid, node.Gid) : CopyOwner.Root;

    /// <summary>
    /// A key shared by the regular files of the image that are hard links to one another (one inode, as the layers'
    /// hard link entries made it and no later layer replaced), or null for a file with no other link.
    /// </summary>
    public string? HardLinkKey(string relativePath) =>
        _nodes.TryGetValue(relativePath, out var node) && node.Content is { } content && _linkedContent.Contains(content) ? ContentPath(content) : null;

    /// <inheritdoc />
    public bool FileExists(string relativePath) => _nodes.TryGetValue(relativePath, out var node) && node.Content is not null;

    /// <inheritdoc />
    public Stream OpenRead(string relativePath)
    {
        if (!_nodes.TryGetValue(relativePath, out var node) || node.Content is not { } content)
        {
            throw new FileNotFoundException($"{relativePath} is not a file of {Description}");
        }

        Unpack(content.Layer);
        return new FileStream(ContentPath(content), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
    }

    private string ContentPath(ContentRef content) =>
        Path.Combine(_directory, content.Layer.ToString(CultureInfo.InvariantCulture) + "-" + content.Ordinal.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes the content of every file of layer <paramref name="layerIndex"/> that the snapshot still shows, once.
    /// Reading is synchronous because <see cref="IBuildContext.OpenRead"/> is; a layer is read at most once per build.
    /// </summary>
    private void Unpack(int layerIndex)
    {
        lock (_extracting)
        {
            if (_extracted.Contains(layerIndex))
            {
                return;
            }

            var wanted = _nodes.Values.Select(n => n.Content).OfType<ContentRef>().Where(c => c.Layer == layerIndex)
                .DistinctBy(c => c.Ordinal).ToDictionary(c => c.Ordinal);
            using var stream = _layers[layerIndex].OpenUncompressedAsync(_cancellationToken).GetAwaiter().GetResult();
            // Through the same newline filter as the headers were read with, so names compare equal.
            using (var reader = PaxNewlineEscapingStream.OpenReader(stream))
            {
                var ordinal = -1;
                while (wanted.Count > 0 && reader.GetNextEntry(copyData: false) is { } entry)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    PaxNewlineEscapingStream.RestoreNames(entry);
                    ordinal++;
                    if (!wanted.Remove(ordinal, out var content))
                    {
                        continue;
                    }

                    if (entry.Name != content.Name)
                    {
                        // The headers were read from another tar than this one: never copy the wrong file's content.
                        throw new InvalidDataException($"layer {_layers[layerIndex].Digest} of {Description}: entry {ordinal} is {entry.Name}, not {content.Name}");
                    }

                    using var output = new FileStream(ContentPath(content), FileMode.Create, FileAccess.Write, FileShare.None, 81920);
                    entry.DataStream?.CopyTo(output);
                }
            }

            // The rest of the stream, so that the layer's digest is checked.
            stream.CopyTo(Stream.Null);
            _extracted.Add(layerIndex);
        }
    }

    /// <inheritdoc />
    public IEnumerable<ContextEntry> EnumerateEntries() =>
        _nodes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => new ContextEntry(n.Key, n.Value.Kind, n.Value.LinkTarget)
        {
            Mode = n.Value.Mode,
            ModificationTime = n.Value.ModificationTime,
            Size = n.Value.Size,
        });

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // The build's work folder is removed at the end anyway.
        }
    }

    private static void RemoveBelow(Dictionary<string, Node> nodes, string path, bool includeSelf)
    {
        var prefix = path.Length == 0 ? "" : path + "/";
        foreach (var key in nodes.Keys.Where(k => (includeSelf && k == path) || k.StartsWith(prefix, StringComparison.Ordinal) && k != path).ToList())
        {
            nodes.Remove(key);
        }
    }

    private static void AddMissingParents(Dictionary<string, Node> nodes)
    {
        foreach (var path in nodes.Keys.ToList())
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                var parent = path[..slash];
                if (!nodes.TryAdd(parent, new Node(ContextEntryKind.Directory, LayerEntry.DefaultDirectoryMode, 0, 0, DateTimeOffset.UnixEpoch, null, 0, null)))
                {
                    break;
                }
            }
        }
    }

    private static string Normalize(string tarName)
    {
        var name = tarName.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name.Trim('/');
    }

    private sealed record Node(ContextEntryKind Kind, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime, string? LinkTarget, long Size, ContentRef? Content);

    // Where a regular file's content is: the entry at Ordinal of layer Layer's tar, named Name there.
    private readonly record struct ContentRef(int Layer, int Ordinal, string Name);
}
