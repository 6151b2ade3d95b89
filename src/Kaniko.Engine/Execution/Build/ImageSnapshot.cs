using System.Formats.Tar;
using Kaniko.Engine.Context;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The filesystem an image's layers make, read into a folder so that <c>COPY --from</c> can copy from it with the
/// same rules as from the build context: the layers are applied bottom first, whiteouts and opaque directories
/// remove what lies below, and each regular file's content is kept in a private file (its metadata stays in the
/// entries, not on disk, so no mode or owner of the image can stop the reading). Owners are kept per path, because
/// BuildKit preserves them when copying from a stage or an image.
/// </summary>
public sealed class ImageSnapshot : IBuildContext
{
    private readonly Dictionary<string, Node> _nodes;
    private readonly string _directory;
    private readonly HashSet<string> _linkedContent;

    private ImageSnapshot(string description, string directory, Dictionary<string, Node> nodes)
    {
        Description = description;
        _directory = directory;
        _nodes = nodes;
        // A content file held by two paths came from a hard link entry: the paths are one inode in the image.
        _linkedContent = nodes.Values.Where(n => n.ContentFile is not null).GroupBy(n => n.ContentFile!, StringComparer.Ordinal)
            .Where(g => g.Skip(1).Any()).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
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
    public static async Task<ImageSnapshot> ReadAsync(string description, IReadOnlyList<ILayer> layers, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        return new ImageSnapshot(description, directory, await ReadNodesAsync(layers, directory, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The directories of the filesystem <paramref name="layers"/> make (bottom first), with their mode and owner,
    /// and its symbolic links with their targets, from the tar headers alone (no file content is kept); paths are
    /// relative, without a leading <c>/</c>.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, (UnixFileMode Mode, CopyOwner Owner)> Directories, IReadOnlyDictionary<string, string> Links)> ReadTreeAsync(
        IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var nodes = await ReadNodesAsync(layers, contentDirectory: null, cancellationToken).ConfigureAwait(false);
        var directories = nodes.Where(n => n.Value.Kind == ContextEntryKind.Directory)
            .ToDictionary(n => n.Key, n => (n.Value.Mode, new CopyOwner(n.Value.Uid, n.Value.Gid)), StringComparer.Ordinal);
        var links = nodes.Where(n => n.Value.Kind == ContextEntryKind.SymbolicLink)
            .ToDictionary(n => n.Key, n => n.Value.LinkTarget ?? "", StringComparer.Ordinal);
        return (directories, links);
    }

    private static async Task<Dictionary<string, Node>> ReadNodesAsync(IReadOnlyList<ILayer> layers, string? contentDirectory, CancellationToken cancellationToken)
    {
        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        var counter = 0;
        foreach (var layer in layers)
        {
            var added = new List<(string Path, Node Node)>();
            var removed = new List<string>();
            var opaque = new List<string>();
            var stream = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = PaxNewlineEscapingStream.OpenReader(stream);
                await using (reader.ConfigureAwait(false))
                {
                    while (await PaxNewlineEscapingStream.NextEntryAsync(reader, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
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

                        var node = new Node(entry.EntryType switch
                        {
                            TarEntryType.Directory => ContextEntryKind.Directory,
                            TarEntryType.SymbolicLink => ContextEntryKind.SymbolicLink,
                            _ => ContextEntryKind.File,
                        }, entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime, entry.EntryType == TarEntryType.SymbolicLink ? entry.LinkName : null, 0, null);
                        if (contentDirectory is null)
                        {
                            // Only the tree is wanted: files count for their names.
                            if (node.Kind == ContextEntryKind.File && entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile or TarEntryType.HardLink))
                            {
                                continue;
                            }
                        }
                        else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile)
                        {
                            var file = Path.Combine(contentDirectory, (counter++).ToString(System.Globalization.CultureInfo.InvariantCulture));
                            var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
                            await using (output.ConfigureAwait(false))
                            {
                                if (entry.DataStream is { } data)
                                {
                                    await data.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                                }
                            }

                            node = node with { Size = entry.Length, ContentFile = file };
                        }
                        else if (entry.EntryType == TarEntryType.HardLink)
                        {
                            var target = Normalize(entry.LinkName);
                            var linked = added.LastOrDefault(a => a.Path == target).Node ?? nodes.GetValueOrDefault(target);
                            if (linked?.ContentFile is null)
                            {
                                continue;
                            }

                            node = node with { Size = linked.Size, ContentFile = linked.ContentFile };
                        }
                        else if (node.Kind == ContextEntryKind.File)
                        {
                            // Devices and FIFOs cannot be copied from a context either.
                            continue;
                        }

                        added.Add((path, node));
                    }
                }
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
        _nodes.TryGetValue(relativePath, out var node) && node.ContentFile is { } file && _linkedContent.Contains(file) ? file : null;

    /// <inheritdoc />
    public bool FileExists(string relativePath) => _nodes.TryGetValue(relativePath, out var node) && node.ContentFile is not null;

    /// <inheritdoc />
    public Stream OpenRead(string relativePath) =>
        _nodes.TryGetValue(relativePath, out var node) && node.ContentFile is { } file
            ? new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true)
            : throw new FileNotFoundException($"{relativePath} is not a file of {Description}");

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

    private sealed record Node(ContextEntryKind Kind, UnixFileMode Mode, int Uid, int Gid, DateTimeOffset ModificationTime, string? LinkTarget, long Size, string? ContentFile);
}
