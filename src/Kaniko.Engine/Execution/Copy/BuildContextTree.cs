using System.Globalization;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// The entries of a build context that the ignore rules keep, as a tree, so that sources are resolved against
/// exactly what BuildKit would have received: an ignored file does not exist here. Load it once per build and pass
/// it to every <see cref="CopyPlanner.Plan(BuildContextTree, CopyRequest)"/>; it is immutable. Symbolic links are resolved the
/// way BuildKit resolves them in its copy of the context (<c>continuity</c>'s <c>RootPath</c>): as if the context
/// were the root of a filesystem, so <c>..</c> stops at the root and an absolute target starts from it.
/// </summary>
internal sealed class BuildContextTree
{
    // The bound of continuity's RootPath: 255 links, then "too many links".
    private const int MaxLinks = 255;

    private readonly Dictionary<string, ContextEntry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ContextEntry>> _children = new(StringComparer.Ordinal);
    private readonly Func<string, string?>? _hardLinkKey;

    /// <summary>Builds the tree from entries as <see cref="IBuildContext.EnumerateEntries"/> lists them.</summary>
    /// <param name="entries">The entries the ignore rules keep.</param>
    /// <param name="hardLinkKey">
    /// Tells which regular files are hard links to one another: the same non-null key for the paths that share one
    /// inode, null for a file that has no other link (or when the context cannot tell).
    /// </param>
    public BuildContextTree(IEnumerable<ContextEntry> entries, Func<string, string?>? hardLinkKey = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _hardLinkKey = hardLinkKey;
        _entries[string.Empty] = new ContextEntry(".", ContextEntryKind.Directory) { Mode = (UnixFileMode)0x1ED };
        foreach (var entry in entries)
        {
            _entries[entry.Path] = entry;
            var slash = entry.Path.LastIndexOf('/');
            var parent = slash < 0 ? string.Empty : entry.Path[..slash];
            if (!_children.TryGetValue(parent, out var list))
            {
                _children[parent] = list = [];
            }

            list.Add(entry);
        }

        foreach (var list in _children.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        }
    }

    /// <summary>
    /// Reads every entry of <paramref name="context"/> that its ignore rules keep, with the hard links of a directory
    /// context or an image snapshot (<see cref="ContextHardLinks"/>).
    /// </summary>
    public static BuildContextTree Load(IBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new BuildContextTree(context.EnumerateEntries(), ContextHardLinks.For(context));
    }

    /// <summary>
    /// The key shared by the regular files at <paramref name="path"/> and its hard links (one inode), or null when the
    /// file has no other link or the context cannot tell. Asked only for the files a copy writes.
    /// </summary>
    public string? HardLinkKey(string path) =>
        _hardLinkKey is not null && Get(path) is { Kind: ContextEntryKind.File } ? _hardLinkKey(path) : null;

    /// <summary>The entry at a resolved path (<c>""</c> is the root), or <c>null</c>.</summary>
    public ContextEntry? Get(string path) => _entries.GetValueOrDefault(path);

    /// <summary>The entries directly inside a directory (<c>""</c> is the root), in name order.</summary>
    public IReadOnlyList<ContextEntry> Children(string directory) =>
        _children.TryGetValue(directory, out var list) ? list : [];

    /// <summary>
    /// Resolves <paramref name="path"/> with BuildKit's rules (links followed inside the tree as if it were a root
    /// filesystem); returns the resolved path (<c>""</c> for the root), or <c>null</c> when it does not exist.
    /// </summary>
    /// <param name="path">A path relative to the root, cleaned, without a leading <c>/</c> ("" for the root).</param>
    /// <param name="followFinalLink">Whether a link in the last component is followed too.</param>
    /// <param name="escapingLink">The first link met whose target is absolute or climbs above the root.</param>
    /// <exception cref="KanikoException">More than 255 links were met (<see cref="DiagnosticCodes.CopySourceSymlinkLoop"/>).</exception>
    public string? Resolve(string path, bool followFinalLink, out string? escapingLink)
    {
        escapingLink = null;
        var pending = new LinkedList<string>(Split(path));
        var resolved = new List<string>();
        var links = 0;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = resolved.Count == 0 ? part : string.Join('/', resolved) + "/" + part;
            var entry = Get(candidate);
            if (entry is null)
            {
                return null;
            }

            var isLast = pending.Count == 0;
            if (entry.Kind == ContextEntryKind.SymbolicLink && (followFinalLink || !isLast))
            {
                if (++links > MaxLinks)
                {
                    throw new KanikoException(DiagnosticCodes.CopySourceSymlinkLoop,
                        string.Format(CultureInfo.InvariantCulture, Strings.CopySourceSymlinkLoop, "/" + path));
                }

                var target = entry.LinkTarget ?? string.Empty;
                if (escapingLink is null && (target.StartsWith('/') || ClimbsAbove(resolved.Count, target)))
                {
                    escapingLink = candidate;
                }

                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var targetPart in Split(target).Reverse())
                {
                    pending.AddFirst(targetPart);
                }

                continue;
            }

            if (!isLast && entry.Kind != ContextEntryKind.Directory)
            {
                return null;
            }

            resolved.Add(part);
        }

        return string.Join('/', resolved);
    }

    private static bool ClimbsAbove(int depth, string relativeTarget)
    {
        foreach (var part in Split(relativeTarget))
        {
            depth += part == ".." ? -1 : 1;
            if (depth < 0)
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
