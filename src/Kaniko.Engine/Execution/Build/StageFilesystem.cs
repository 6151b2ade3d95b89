using Kaniko.Engine.Caching;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// What a stage knows of its directories: those its own layers wrote, and, once <see cref="EnsureCompleteAsync"/>
/// has read them, those of its base image. A stage from <c>scratch</c> knows everything from the start; a stage from
/// a registry image reads the base layers' headers only when a step must know which directories exist (a copy or a
/// <c>WORKDIR</c> that creates parents with another owner or mode than the runtime's root 0755), so most builds
/// download no base layer at all. It knows the symbolic links the same way (its own layers', and the base's once read),
/// because BuildKit writes a copy or a working directory through them (<see cref="Resolve"/>).
/// It also knows its fresh directories: those a step made where the layers below had nothing (a <c>WORKDIR</c> that
/// created its folder, a <c>RUN</c> whose diff added it), with the layer that made them. Below a fresh directory the
/// base has nothing, so a stage that wants its tree for exact layers (<see cref="IsDeferred"/>) can plan a step there
/// without reading it (<see cref="Probe"/>), and <c>COPY --from</c> can read such a directory from the layers above.
/// </summary>
/// <remarks>
/// One model, kept in one file on purpose: the directories, links and fresh folders answer each question together
/// (a path is resolved through the links before it is looked up, and a fresh folder is known only against the
/// directories), so splitting them would spread one invariant over several types.
/// </remarks>
internal sealed class StageFilesystem
{
    private readonly Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> _directories;
    private readonly Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> _written;
    private readonly IReadOnlyList<ILayer> _baseLayers;
    private readonly LayerHeaderCache? _headers;
    private readonly HashSet<ContainerPath> _noted;
    private readonly HashSet<ContainerPath> _forgotten;
    private readonly Dictionary<ContainerPath, string> _links;
    private readonly Dictionary<ContainerPath, int> _fresh;
    private bool _complete;
    private bool _assumeComplete;

    // continuity's RootPath gives up after 255 links.
    private const int MaxLinks = 255;

    private StageFilesystem(
        bool isComplete, IReadOnlyList<ILayer> baseLayers, LayerHeaderCache? headers,
        Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> directories,
        Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> written,
        HashSet<ContainerPath> noted,
        HashSet<ContainerPath> forgotten,
        Dictionary<ContainerPath, string> links,
        Dictionary<ContainerPath, int> fresh)
    {
        _links = links;
        _fresh = fresh;
        _noted = noted;
        _forgotten = forgotten;
        _complete = isComplete;
        _baseLayers = baseLayers;
        _headers = headers;
        _directories = directories;
        _written = written;
    }

    /// <summary>The filesystem of <c>scratch</c>: empty, and fully known.</summary>
    public static StageFilesystem Empty() => new(true, [], null, [], [], [], [], [], []);

    /// <summary>The filesystem of an image whose tree is read from <paramref name="baseLayers"/> only when needed.</summary>
    public static StageFilesystem Of(IReadOnlyList<ILayer> baseLayers) => Of(baseLayers, null);

    /// <summary>
    /// The filesystem of an image whose tree is read from <paramref name="baseLayers"/> only when needed, with the
    /// layers' headers kept between builds in <paramref name="headers"/>.
    /// </summary>
    public static StageFilesystem Of(IReadOnlyList<ILayer> baseLayers, LayerHeaderCache? headers) => new(false, baseLayers, headers, [], [], [], [], [], []);

    /// <summary>Whether every directory of the stage is listed (always, for a <see cref="Probe"/>).</summary>
    public bool IsComplete => _complete || _assumeComplete;

    /// <summary>
    /// Whether the stage wants its whole tree for exact layers (it runs commands) but has not read it yet, because the
    /// step that would have read it found its layer in the cache: its copies and working directories are then
    /// planned on a <see cref="Probe"/> first, and the tree is read only when the probe asked about the unknown.
    /// </summary>
    public bool IsDeferred { get; private set; }

    /// <summary>Whether a <see cref="Probe"/> was asked something only the base's tree can answer.</summary>
    public bool TouchedUnknown { get; private set; }

    /// <summary>A copy for a stage that starts from this one.</summary>
    public StageFilesystem Clone() => new(_complete, _baseLayers, _headers, new(_directories), new(_written), new(_noted), new(_forgotten), new(_links), new(_fresh))
    {
        IsDeferred = IsDeferred,
    };

    /// <summary>
    /// A copy that answers as if the stage knew its tree, exactly where it does (below fresh directories, or
    /// everywhere once read), and records in <see cref="TouchedUnknown"/> any question it could not answer so:
    /// a step planned on it without such a question made the layer the whole tree would have made.
    /// </summary>
    public StageFilesystem Probe()
    {
        var probe = Clone();
        probe._assumeComplete = true;
        return probe;
    }

    /// <summary>Takes what a <see cref="Probe"/> learned (the directories its step wrote) as this stage's own.</summary>
    public void Adopt(StageFilesystem probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        Replace(_directories, probe._directories);
        Replace(_written, probe._written);
        Replace(_links, probe._links);
        Replace(_fresh, probe._fresh);
        _noted.Clear();
        _noted.UnionWith(probe._noted);
        _forgotten.Clear();
        _forgotten.UnionWith(probe._forgotten);
    }

    private static void Replace<TValue>(Dictionary<ContainerPath, TValue> target, Dictionary<ContainerPath, TValue> source)
    {
        target.Clear();
        foreach (var (key, value) in source)
        {
            target[key] = value;
        }
    }

    /// <summary>Records that the stage's tree was wanted but not read (see <see cref="IsDeferred"/>).</summary>
    public void Defer()
    {
        if (!_complete)
        {
            IsDeferred = true;
        }
    }

    /// <summary>Records that the layer numbered <paramref name="layerIndex"/> (in the stage's layers, base first) made <paramref name="path"/> where the layers below had nothing.</summary>
    public void MarkFresh(ContainerPath path, int layerIndex)
    {
        if (!path.IsRoot)
        {
            _fresh[path] = layerIndex;
        }
    }

    /// <summary>
    /// The layer that made the fresh directory holding <paramref name="path"/> (or being it), or null when it is not
    /// below one: the layers under it have nothing at <paramref name="path"/>.
    /// </summary>
    public int? FreshLayerOf(ContainerPath path)
    {
        for (var current = path; !current.IsRoot; current = current.Parent)
        {
            if (_fresh.TryGetValue(current, out var layer))
            {
                return layer;
            }
        }

        return null;
    }

    // Whether the answer about path is the whole tree's: read, or below a fresh directory (whose parents are real
    // directories: it was made through them, and a later write that replaced one forgot it).
    private bool Knows(ContainerPath path) => _complete || FreshLayerOf(path) is not null;

    // Whether path is a parent of a fresh directory, so certainly a directory (not a link) of the stage.
    private bool HoldsFresh(ContainerPath path)
    {
        var prefix = path.IsRoot ? "/" : path.Value + "/";
        return path.IsRoot || _fresh.Keys.Any(f => f.Value.StartsWith(prefix, StringComparison.Ordinal));
    }

    // A probe asked what only the base's tree knows.
    private bool Unknown(ContainerPath path)
    {
        if (_assumeComplete && !Knows(path))
        {
            TouchedUnknown = true;
            return true;
        }

        return false;
    }

    /// <summary>
    /// <paramref name="path"/> with the symbolic links the stage knows followed in every component, the last one
    /// too, as BuildKit's copy and mkdir resolve a destination (<c>continuity</c>'s <c>RootPath</c>): an absolute
    /// target starts again from the root and <c>..</c> stops at it. So <c>COPY tool /bin/</c> on an image whose
    /// <c>/bin</c> links to <c>usr/bin</c> writes <c>/usr/bin/tool</c> and leaves the link alone.
    /// </summary>
    public ContainerPath Resolve(ContainerPath path)
    {
        if (_assumeComplete && !_complete && !HoldsFresh(path) && Unknown(path))
        {
            return path;
        }

        if (_links.Count == 0)
        {
            return path;
        }

        var pending = new LinkedList<string>(path.Value.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var resolved = ContainerPath.Root;
        var hops = 0;
        while (pending.First is { } first)
        {
            var part = first.Value;
            pending.RemoveFirst();
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = resolved.Parent;
                continue;
            }

            var candidate = resolved.Append(part);
            if (_links.TryGetValue(candidate, out var target) && ++hops <= MaxLinks)
            {
                if (_assumeComplete && !_complete)
                {
                    // A link may lead where only the base's tree knows the way on.
                    TouchedUnknown = true;
                }

                if (target.StartsWith('/'))
                {
                    resolved = ContainerPath.Root;
                }

                foreach (var targetPart in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
                {
                    pending.AddFirst(targetPart);
                }

                continue;
            }

            resolved = candidate;
        }

        return resolved;
    }

    /// <summary>Records a symbolic link written by a layer, over whatever was at <paramref name="path"/>.</summary>
    public void AddLink(ContainerPath path, string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!path.IsRoot)
        {
            Forget(path);
            _links[path] = target;
        }
    }

    /// <summary>Records that a layer wrote a file at <paramref name="path"/>: a link there is gone.</summary>
    public void RemoveLink(ContainerPath path) => _links.Remove(path);

    /// <summary>Whether <paramref name="path"/> is a directory this stage knows.</summary>
    public bool IsDirectory(ContainerPath path)
    {
        if (path.IsRoot || _directories.ContainsKey(path))
        {
            return true;
        }

        if (_assumeComplete && !_complete && HoldsFresh(path))
        {
            return true;
        }

        _ = Unknown(path);
        return false;
    }

    /// <summary>The mode and owner of a known directory.</summary>
    public bool TryGetDirectory(ContainerPath path, out (UnixFileMode Mode, CopyOwner Owner) metadata)
    {
        if (_directories.TryGetValue(path, out metadata) && (!_assumeComplete || Knows(path)))
        {
            return true;
        }

        _ = Unknown(path);
        return false;
    }

    /// <summary>Records a directory written by a layer (a later write replaces the metadata).</summary>
    public void AddDirectory(ContainerPath path, UnixFileMode mode, CopyOwner owner)
    {
        if (!path.IsRoot)
        {
            _directories[path] = (mode, owner);
            _written[path] = (mode, owner);
            _noted.Remove(path);
            _links.Remove(path);
        }
    }

    /// <summary>
    /// Records that <paramref name="path"/> exists as a directory (a layer wrote something below it) without knowing
    /// its metadata: root and 0755 unless the stage already knows better or its base says otherwise.
    /// </summary>
    public void NoteDirectory(ContainerPath path)
    {
        if (!path.IsRoot && _directories.TryAdd(path, (LayerEntry.DefaultDirectoryMode, CopyOwner.Root)))
        {
            _noted.Add(path);
        }
    }

    /// <summary>
    /// Takes in what a <c>RUN</c> step changed: the directories it made or changed become known with their metadata,
    /// and what it deleted (with everything below) is forgotten, so later copies see the stage as it is. A directory
    /// it added is fresh, made by the layer numbered <paramref name="layerIndex"/> when given.
    /// </summary>
    public void Record(IReadOnlyList<FileChange> changes, int? layerIndex = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var change in changes)
        {
            var path = ContainerPath.Parse(change.Path);
            if (change.Kind != FileChangeKind.Deleted && change.Metadata is { Kind: FileEntryKind.SymbolicLink, LinkTarget: { } target })
            {
                AddLink(path, target);
            }
            else if (change.Kind == FileChangeKind.Deleted || change.Metadata is { Kind: not FileEntryKind.Directory })
            {
                Forget(path);
            }
            else if (change.Metadata is { Kind: FileEntryKind.Directory } metadata)
            {
                AddDirectory(path, metadata.Mode, new CopyOwner(metadata.Uid, metadata.Gid));
                if (change.Kind == FileChangeKind.Added && layerIndex is { } layer)
                {
                    MarkFresh(path, layer);
                }
            }
        }
    }

    private bool IsForgotten(ContainerPath path)
    {
        for (var current = path; !current.IsRoot; current = current.Parent)
        {
            if (_forgotten.Contains(current))
            {
                return true;
            }
        }

        return false;
    }

    private void Forget(ContainerPath path)
    {
        var prefix = path.Value + "/";
        foreach (var table in new[] { _directories, _written })
        {
            foreach (var key in table.Keys.Where(k => k == path || k.Value.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                table.Remove(key);
            }
        }

        _noted.RemoveWhere(k => k == path || k.Value.StartsWith(prefix, StringComparison.Ordinal));
        foreach (var key in _fresh.Keys.Where(k => k == path || k.Value.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _fresh.Remove(key);
        }

        foreach (var key in _links.Keys.Where(k => k == path || k.Value.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _links.Remove(key);
        }

        _forgotten.Add(path);
    }

    /// <summary>Reads the base image's directories (tar headers of its layers), once; the stage's own writes win.</summary>
    public async Task EnsureCompleteAsync(CancellationToken cancellationToken)
    {
        if (IsComplete)
        {
            return;
        }

        var (baseDirectories, baseLinks) = await ImageSnapshot.ReadTreeAsync(_baseLayers, _headers, cancellationToken).ConfigureAwait(false);
        foreach (var (path, target) in baseLinks)
        {
            // A directory the stage's layers noted under a base link was written through it (an extractor
            // resolves parents inside the root): the link stays. One they wrote themselves replaced it.
            var link = ContainerPath.Parse("/" + path);
            if (!IsForgotten(link) && !_written.ContainsKey(link) && !_links.ContainsKey(link))
            {
                _noted.Remove(link);
                _directories.Remove(link);
                _links[link] = target;
            }
        }

        foreach (var (path, metadata) in baseDirectories)
        {
            var directory = ContainerPath.Parse("/" + path);
            if (IsForgotten(directory))
            {
                continue;
            }

            if (_noted.Remove(directory))
            {
                _directories[directory] = metadata;
            }
            else
            {
                _directories.TryAdd(directory, metadata);
            }
        }

        foreach (var (path, metadata) in _written)
        {
            _directories[path] = metadata;
        }

        _complete = true;
        IsDeferred = false;
    }

    /// <summary>
    /// The ancestors of <paramref name="path"/> (outermost first, the root left out) that the stage does not have,
    /// when it knows its whole tree; none otherwise (the runtime then creates missing parents as root, 0755).
    /// </summary>
    public IReadOnlyList<ContainerPath> MissingAncestors(ContainerPath path)
    {
        if (!IsComplete || Unknown(path))
        {
            return [];
        }

        var missing = new List<ContainerPath>();
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
        {
            // In a probe, the parents of a fresh directory exist (it was made through them).
            if (!_directories.ContainsKey(parent) && (_complete || FreshLayerOf(parent) is not null))
            {
                missing.Add(parent);
            }
        }

        missing.Reverse();
        return missing;
    }
}
