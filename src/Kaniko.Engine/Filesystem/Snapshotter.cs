using System.Security.Cryptography;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Finds what a step changed in a root filesystem by comparing a fresh <see cref="FileIndex"/> with the one taken
/// before the step. Metadata decides almost always (kind, mode, owner, size, modification time, link target,
/// identity); a file's content is hashed only when nothing but its change time moved, which is what a write that
/// restored the modification time looks like. Deleted paths become whiteouts, a directory removed and made again an
/// opaque whiteout, and files sharing an inode are written once and hard-linked.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class Snapshotter
{
    /// <summary>Indexes the whole root filesystem: the baseline taken after the base layers are applied.</summary>
    public static Task<FileIndex> IndexAsync(RootFs rootFs, CancellationToken cancellationToken = default) =>
        FileIndex.BuildAsync(rootFs, cancellationToken);

    /// <summary>A snapshot of everything in the root filesystem (every path is added), as for a full-snapshot mode.</summary>
    public static Task<FileSystemDiff> FullAsync(RootFs rootFs, CancellationToken cancellationToken = default) =>
        DiffAsync(rootFs, FileIndex.Empty, cancellationToken);

    /// <summary>The changes of <paramref name="rootFs"/> since <paramref name="previous"/> was taken.</summary>
    public static Task<FileSystemDiff> DiffAsync(RootFs rootFs, FileIndex previous, CancellationToken cancellationToken = default) =>
        DiffAsync(rootFs, previous, SnapshotMode.Redo, cancellationToken);

    /// <summary>The changes of <paramref name="rootFs"/> since <paramref name="previous"/> was taken, decided as <paramref name="mode"/> says.</summary>
    public static Task<FileSystemDiff> DiffAsync(RootFs rootFs, FileIndex previous, SnapshotMode mode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootFs);
        ArgumentNullException.ThrowIfNull(previous);
        return Task.Run(() => Diff(rootFs, previous, mode, cancellationToken), cancellationToken);
    }

    private static FileSystemDiff Diff(RootFs rootFs, FileIndex previous, SnapshotMode mode, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentQueue<FileChange>();
        var added = 0;
        var recreatedFound = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var linked = new System.Collections.Concurrent.ConcurrentQueue<(ulong Device, ulong Inode, string Path)>();
        var current = FileIndex.Build(rootFs, attachLayerHashes: previous.Count == 0, cancellationToken, (path, now) =>
        {
            if (now.Kind == FileEntryKind.RegularFile && now.LinkCount > 1)
            {
                linked.Enqueue((now.Device, now.Inode, path));
            }

            if (!previous.TryGetValue(path, out var before))
            {
                Interlocked.Increment(ref added);
                found.Enqueue(new FileChange(path, FileChangeKind.Added, now));
                return now;
            }

            if (before.Kind == FileEntryKind.Directory && now.Kind == FileEntryKind.Directory && !now.IsSameFile(before))
            {
                recreatedFound.Enqueue(path);
                found.Enqueue(new FileChange(path, FileChangeKind.Modified, now));
                return now;
            }

            if (mode == SnapshotMode.Time)
            {
                if (now.Kind != before.Kind || now.ModifiedNs != before.ModifiedNs)
                {
                    found.Enqueue(new FileChange(path, FileChangeKind.Modified, now));
                }

                return KeepHash(now, before);
            }

            if (mode == SnapshotMode.Full ? HasContentIndependentChange(now, before) : now.HasVisibleChange(before))
            {
                found.Enqueue(new FileChange(path, FileChangeKind.Modified, now));
                return now;
            }

            if (now.Kind != FileEntryKind.RegularFile)
            {
                return now;
            }

            var moved = now.ChangedNs != before.ChangedNs || !now.IsSameFile(before)
                || (mode == SnapshotMode.Full && (now.Size != before.Size || now.ModifiedNs != before.ModifiedNs));
            if (moved)
            {
                // Only the change time (or the inode) moved: a chmod back, a new hard link, or a write that restored
                // the modification time. The content decides, when the old content's hash is known.
                var hash = HashFile(rootFs.HostDirectory + path);
                if (before.ContentHash is null || !before.ContentHash.AsSpan().SequenceEqual(hash))
                {
                    found.Enqueue(new FileChange(path, FileChangeKind.Modified, now));
                }

                return now with { ContentHash = hash };
            }

            return KeepHash(now, before);
        }, previous);

        var changes = new Dictionary<string, FileChange>(StringComparer.Ordinal);
        foreach (var change in found)
        {
            changes[change.Path] = change;
        }

        var recreated = new HashSet<string>(recreatedFound, StringComparer.Ordinal);
        var linkGroups = new Dictionary<(ulong Device, ulong Inode), List<string>>();
        foreach (var (device, inode, path) in linked)
        {
            if (!linkGroups.TryGetValue((device, inode), out var group))
            {
                linkGroups[(device, inode)] = group = [];
            }

            group.Add(path);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (recreated.Count > 0)
        {
            foreach (var directory in recreated)
            {
                changes[directory + "/" + Layers.LayerEntry.OpaqueWhiteoutName] =
                    new FileChange(directory, FileChangeKind.OpaqueDirectory, null);
            }

            // Everything now inside a recreated directory must be in the layer: the opaque whiteout hides the rest.
            foreach (var (path, now) in current.Entries)
            {
                if (!changes.ContainsKey(path) && HasAncestorIn(path, recreated))
                {
                    changes[path] = new FileChange(path, FileChangeKind.Added, now);
                }
            }
        }

        // Every path found was either in the previous index or counted as added: with none added and as many paths
        // as before, the two sets are the same and nothing was deleted, so the lookups below can be skipped.
        var anyDeleted = added > 0 || current.Count != previous.Count;
        foreach (var path in anyDeleted ? previous.Paths : [])
        {
            if (!current.Contains(path) && !rootFs.IgnoredPaths.IsIgnored(path) && ParentStillHolds(path, previous, current, recreated))
            {
                changes[path] = new FileChange(path, FileChangeKind.Deleted, null);
            }
        }

        AddHardLinks(changes, linkGroups, current);
        var sorted = changes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value).ToList();
        return new FileSystemDiff(rootFs, sorted, current);
    }

    /// <summary>An unchanged entry keeps the previous content hash (and the previous record itself when the walk reused it).</summary>
    private static FileEntryMetadata KeepHash(FileEntryMetadata now, FileEntryMetadata before) =>
        before.ContentHash is null || ReferenceEquals(now.ContentHash, before.ContentHash) ? now : now with { ContentHash = before.ContentHash };

    /// <summary>
    /// What <see cref="SnapshotMode.Full"/> compares without reading content: kind, mode, owner, link target and
    /// device numbers. Size and times are left to the content comparison; a directory's times do not count.
    /// </summary>
    private static bool HasContentIndependentChange(FileEntryMetadata now, FileEntryMetadata before) =>
        now.Kind != before.Kind || now.Mode != before.Mode || now.Uid != before.Uid || now.Gid != before.Gid
        || !string.Equals(now.LinkTarget, before.LinkTarget, StringComparison.Ordinal)
        || now.DeviceMajor != before.DeviceMajor || now.DeviceMinor != before.DeviceMinor;

    /// <summary>
    /// A deletion needs its own whiteout only when its directory is still the same directory: a deleted parent's
    /// whiteout, a recreated parent's opaque whiteout, or a parent that is now a file already covers it.
    /// </summary>
    private static bool ParentStillHolds(string path, FileIndex previous, FileIndex current, HashSet<string> recreated)
    {
        var slash = path.LastIndexOf('/');
        if (slash == 0)
        {
            return true;
        }

        var parent = path[..slash];
        return current.TryGetValue(parent, out var now) && now.Kind == FileEntryKind.Directory
            && previous.Contains(parent) && !recreated.Contains(parent);
    }

    private static bool HasAncestorIn(string path, HashSet<string> directories)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (directories.Contains(path[..slash]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Keeps hard links: when any path of an inode with several links is in the layer, all its paths are, the first
    /// (by path) as the file and the others as links to it, so the layer recreates one inode and not copies.
    /// </summary>
    private static void AddHardLinks(Dictionary<string, FileChange> changes, Dictionary<(ulong, ulong), List<string>> linkGroups, FileIndex current)
    {
        foreach (var group in linkGroups.Values)
        {
            if (group.Count < 2 || !group.Exists(changes.ContainsKey))
            {
                continue;
            }

            group.Sort(StringComparer.Ordinal);
            var first = group[0];
            foreach (var path in group)
            {
                var metadata = current.TryGetValue(path, out var m) ? m : null;
                var kind = changes.TryGetValue(path, out var existing) ? existing.Kind : FileChangeKind.Modified;
                changes[path] = new FileChange(path, kind, metadata, path == first ? null : first);
            }
        }
    }

    private static byte[] HashFile(string hostPath)
    {
        using var stream = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        return SHA256.HashData(stream);
    }
}
