using System.Security.Cryptography;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Storage;

/// <summary>
/// What a step changed, read from its overlay's upper folder instead of a walk of the whole root: only the paths the
/// step wrote are there, so the snapshot costs what the step changed. Each is compared with what the lower folders
/// show at that path by the rules of <see cref="Snapshotter"/>'s default mode, so both give the same changes and
/// the same layer: a path is in the layer when it is new, when its visible metadata moved, or (a file copied up with
/// only its change time moved) when its content differs. A whiteout is a deletion; an opaque directory that was a
/// directory below is a directory made again (an opaque whiteout, and everything in it added); a directory's size is
/// not compared (the upper copy of a directory lists only what the step wrote, and a real change of its entries moves
/// its modification time anyway).
/// </summary>
/// <remarks>The result says how many paths of the upper folder were read, so a log can show what a snapshot cost.</remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OverlaySnapshot
{
    /// <summary>
    /// The changes in <paramref name="upperDirectory"/> (whose deletions and replaced directories are marked as
    /// <paramref name="marks"/> says) over <paramref name="lowers"/>; the layer's files are read from
    /// <paramref name="merged"/> (the mounted overlay) when it is written.
    /// </summary>
    public static Task<OverlayDiff> DiffAsync(RootFs merged, string upperDirectory, OverlayLowers lowers, OverlayUpperMarks marks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(lowers);
        ArgumentNullException.ThrowIfNull(marks);
        return Task.Run(() => Diff(merged, upperDirectory, lowers, marks, cancellationToken), cancellationToken);
    }

    private static OverlayDiff Diff(RootFs merged, string upperDirectory, OverlayLowers lowers, OverlayUpperMarks marks, CancellationToken cancellationToken)
    {
        var walk = new Walker(merged.IgnoredPaths, lowers, marks, cancellationToken);
        walk.Directory(Path.TrimEndingDirectorySeparator(Path.GetFullPath(upperDirectory)), "", insideRecreated: false);
        foreach (var group in walk.LinkGroups(merged).Where(g => g.Count > 1 && g.Exists(m => walk.Changes.ContainsKey(m.Path))))
        {
            // One inode, several paths, all in the upper folder: the first by path is the file, the others link to it.
            group.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
            var first = group[0].Path;
            foreach (var (path, metadata) in group)
            {
                var kind = walk.Changes.TryGetValue(path, out var existing) ? existing.Kind : FileChangeKind.Modified;
                walk.Changes[path] = new FileChange(path, kind, metadata, path == first ? null : first);
            }
        }

        var sorted = walk.Changes.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value).ToList();
        return new OverlayDiff(new FileSystemDiff(merged, sorted, FileIndex.Empty), walk.UpperPaths);
    }

    private sealed class Walker(IgnoredPaths ignored, OverlayLowers lowers, OverlayUpperMarks marks, CancellationToken cancellationToken)
    {
        public Dictionary<string, FileChange> Changes { get; } = new(StringComparer.Ordinal);

        /// <summary>How many paths of the upper folder were looked at.</summary>
        public int UpperPaths { get; private set; }

        // Paths of one inode: in the upper folder by its own inode, and, for a file copied up from a lower one with
        // several links, by the lower inode, whose other names stay below (a copy-up does not carry them along) but
        // in a root made by unpacking would still be the same file.
        private readonly Dictionary<(string Folder, ulong Device, ulong Inode), List<(string Path, FileEntryMetadata Metadata)>> _linked = [];
        private readonly Dictionary<string, (string Folder, ulong Device, ulong Inode)> _lowerKeyOf = new(StringComparer.Ordinal);

        /// <summary>The groups of paths that are one file in the root as an unpacked one would have it.</summary>
        public List<List<(string Path, FileEntryMetadata Metadata)>> LinkGroups(RootFs merged)
        {
            foreach (var ((folder, _, inode), group) in _linked.Where(g => g.Key.Folder.Length > 0).ToList())
            {
                foreach (var path in OverlayLowers.PathsOfInode(folder, inode))
                {
                    if (!group.Exists(m => m.Path == path) && !_lowerKeyOf.ContainsKey(path) && lowers.Find(path) is { } shown
                        && shown.Folder == folder && FileStat.TryRead(merged.HostDirectory + path) is { } metadata)
                    {
                        group.Add((path, metadata));
                    }
                }
            }

            // A path in two groups (its upper inode and its lower one) joins them.
            var groups = new List<List<(string Path, FileEntryMetadata Metadata)>>();
            foreach (var group in _linked.Values)
            {
                var joined = groups.FirstOrDefault(g => g.Exists(m => group.Exists(n => n.Path == m.Path)));
                if (joined is null)
                {
                    groups.Add([.. group]);
                }
                else
                {
                    joined.AddRange(group.Where(m => !joined.Exists(n => n.Path == m.Path)));
                }
            }

            return groups;
        }

        private void Link(string folder, ulong device, ulong inode, string path, FileEntryMetadata metadata)
        {
            if (!_linked.TryGetValue((folder, device, inode), out var group))
            {
                _linked[(folder, device, inode)] = group = [];
            }

            group.Add((path, metadata));
        }

        public void Directory(string hostDirectory, string containerDirectory, bool insideRecreated)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var hostPath in System.IO.Directory.EnumerateFileSystemEntries(hostDirectory))
            {
                var name = Path.GetFileName(hostPath);
                UpperPaths++;
                if (FileStat.TryRead(hostPath) is not { } now)
                {
                    continue;
                }

                var kind = marks.Classify(name, now);
                if (kind == UpperNameKind.Mark)
                {
                    continue;
                }

                var path = containerDirectory + "/" + marks.WhiteoutOf(name);
                if (ignored.IsIgnored(path))
                {
                    continue;
                }

                if (kind == UpperNameKind.Whiteout)
                {
                    // Inside a directory made again, the opaque whiteout already hides everything below.
                    if (!insideRecreated && lowers.Find(path) is not null)
                    {
                        Changes[path] = new FileChange(path, FileChangeKind.Deleted, null);
                    }

                    continue;
                }

                if (now is { Kind: FileEntryKind.RegularFile, LinkCount: > 1 })
                {
                    Link("", now.Device, now.Inode, path, now);
                }

                var before = insideRecreated ? null : lowers.Find(path);
                if (now.Kind == FileEntryKind.RegularFile && before is { Metadata: { Kind: FileEntryKind.RegularFile, LinkCount: > 1 } linkedBelow } below)
                {
                    _lowerKeyOf[path] = (below.Folder, linkedBelow.Device, linkedBelow.Inode);
                    Link(below.Folder, linkedBelow.Device, linkedBelow.Inode, path, now);
                }

                if (before is not { } lower)
                {
                    Changes[path] = new FileChange(path, FileChangeKind.Added, now);
                }
                else if (now.Kind == FileEntryKind.Directory && lower.Metadata.Kind == FileEntryKind.Directory && marks.IsOpaque(hostPath))
                {
                    Changes[path] = new FileChange(path, FileChangeKind.Modified, now);
                    Changes[path + "/" + Layers.LayerEntry.OpaqueWhiteoutName] = new FileChange(path, FileChangeKind.OpaqueDirectory, null);
                    Directory(hostPath, path, insideRecreated: true);
                    continue;
                }
                else if (IsChanged(now, lower.Metadata, hostPath, lower.HostPath))
                {
                    Changes[path] = new FileChange(path, FileChangeKind.Modified, now);
                }

                if (now.Kind == FileEntryKind.Directory)
                {
                    Directory(hostPath, path, insideRecreated);
                }
            }
        }

        private static bool IsChanged(FileEntryMetadata now, FileEntryMetadata before, string hostPath, string lowerHostPath)
        {
            var comparable = now.Kind == FileEntryKind.Directory ? before with { Size = now.Size } : before;
            if (now.HasVisibleChange(comparable))
            {
                return true;
            }

            // Copied up with nothing visible moved: a write that restored the time, a chmod back. The content decides.
            return now.Kind == FileEntryKind.RegularFile && !HashOf(hostPath).AsSpan().SequenceEqual(HashOf(lowerHostPath));
        }

        private static byte[] HashOf(string hostPath)
        {
            using var stream = new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            return SHA256.HashData(stream);
        }
    }
}

/// <summary>What a step changed, read from an overlay's upper folder.</summary>
/// <param name="Diff">The changes, as a diff of the whole root would give them.</param>
/// <param name="UpperPaths">How many paths of the upper folder were read to find them (the snapshot's cost).</param>
internal sealed record OverlayDiff(FileSystemDiff Diff, int UpperPaths);
