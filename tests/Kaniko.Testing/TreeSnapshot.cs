namespace Kaniko.Testing;

/// <summary>
/// The metadata of every path of a directory tree, as <c>find -printf</c> reports it (type, mode, owner, size,
/// mtime, ctime, inode, link target), to find what a command changed in the tree: a rewritten or replaced file
/// changes its mtime, ctime or inode, so no content needs hashing. Used to turn "install packages in a chroot"
/// into one diff layer, the way a builder snapshots a RUN step.
/// </summary>
public sealed class TreeSnapshot
{
    private const string Format = "%P\\0%y\\0%m\\0%U\\0%G\\0%s\\0%T@\\0%C@\\0%i\\0%l\\0";
    private const int FieldCount = 10;

    private readonly Dictionary<string, string> _entries;

    private TreeSnapshot(Dictionary<string, string> entries) => _entries = entries;

    /// <summary>The relative paths in the tree.</summary>
    public IEnumerable<string> Paths => _entries.Keys;

    /// <summary>Records the tree under <paramref name="root"/>.</summary>
    public static async Task<TreeSnapshot> TakeAsync(string root, CancellationToken cancellationToken = default)
    {
        var find = TestRequirements.Executable("find");
        var result = await ExternalTools.RunCheckedAsync(find, [root, "-mindepth", "1", "-printf", Format], TimeSpan.FromMinutes(5), cancellationToken)
            .ConfigureAwait(false);
        var fields = result.StandardOutput.Split('\0');
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + FieldCount <= fields.Length; i += FieldCount)
        {
            // Everything but the name is compared as one string: any difference means "changed".
            entries[fields[i]] = string.Join('|', fields, i + 1, FieldCount - 1);
        }

        return new TreeSnapshot(entries);
    }

    /// <summary>
    /// Compares <paramref name="after"/> with this snapshot of the same tree. Returns the paths to archive, in
    /// ordinal order: every added or changed path plus its parent directories, and an empty whiteout file
    /// (<c>.wh.NAME</c>) for each topmost deleted path, which this method creates in <paramref name="root"/>.
    /// </summary>
    public IReadOnlyList<string> DiffAndWriteWhiteouts(TreeSnapshot after, string root)
    {
        ArgumentNullException.ThrowIfNull(after);
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (path, metadata) in after._entries)
        {
            if (!_entries.TryGetValue(path, out var before) || before != metadata)
            {
                AddWithParents(paths, path);
            }
        }

        foreach (var path in _entries.Keys.Where(p => !after._entries.ContainsKey(p)))
        {
            var parent = Parent(path);
            if (parent is not null && !after._entries.ContainsKey(parent))
            {
                continue; // the parent's own whiteout covers it
            }

            var name = path[(path.LastIndexOf('/') + 1)..];
            var whiteout = parent is null ? ".wh." + name : parent + "/.wh." + name;
            File.WriteAllBytes(Path.Combine(root, whiteout), []);
            AddWithParents(paths, whiteout);
        }

        return [.. paths];
    }

    private static void AddWithParents(SortedSet<string> paths, string path)
    {
        for (string? current = path; current is not null && paths.Add(current); current = Parent(current))
        {
        }
    }

    private static string? Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? null : path[..slash];
    }
}
