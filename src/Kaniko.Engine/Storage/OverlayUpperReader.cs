using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Storage;

/// <summary>
/// Turns an overlay's upper folder (everything a step changed over its layers) into the entries of an OCI layer, so
/// a snapshot costs what the step changed, not what the image holds:
/// <list type="bullet">
/// <item>a character device 0/0 is overlayfs's whiteout: the path was deleted (<c>.wh.NAME</c>); so is
/// <c>fuse-overlayfs</c>'s <c>.wh.NAME</c> file where it could not make the device (<see cref="OverlayUpperMarks"/>);</item>
/// <item>a directory marked opaque in the mount's form (<c>trusted.overlay.opaque</c>, or <c>user.overlay.opaque</c>
/// under <c>userxattr</c>, set to <c>y</c>; <see cref="OverlayForm"/>), or holding <c>fuse-overlayfs</c>'s
/// <c>.wh..wh..opq</c>, replaced the lower one: it is written with <c>.wh..wh..opq</c> inside;</item>
/// <item>directories, regular files (a second path of one inode becomes a hard link), symbolic links with their
/// modes, owners and times; sockets, FIFOs and other devices are left out, as a snapshot leaves them out.</item>
/// </list>
/// Entries come parents first, names in ordinal order, so the same upper folder always gives the same layer.
/// A directory overlayfs redirected (<c>redirect_dir</c>) or copied up metadata-only (<c>metacopy</c>) cannot be read
/// from the upper folder alone: the mounts are made with both off (<see cref="OverlayMount.OptionsFor"/>), and such a
/// folder is refused rather than read wrongly.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OverlayUpperReader
{
    private static readonly string[] UnreadableAttributes = ["trusted.overlay.redirect", "user.overlay.redirect", "trusted.overlay.metacopy", "user.overlay.metacopy"];

    /// <summary>The layer entries of <paramref name="upperDirectory"/>, an upper folder of a kernel overlay in <paramref name="form"/>.</summary>
    public static IReadOnlyList<LayerEntry> Read(string upperDirectory, OverlayForm form) =>
        Read(upperDirectory, new OverlayUpperMarks(form, WhiteoutFiles: false));

    /// <summary>
    /// The layer entries of <paramref name="upperDirectory"/>, whose deletions and replaced directories are marked as
    /// <paramref name="marks"/> says (the kernel's way, or <c>fuse-overlayfs</c>'s).
    /// </summary>
    public static IReadOnlyList<LayerEntry> Read(string upperDirectory, OverlayUpperMarks marks)
    {
        ArgumentNullException.ThrowIfNull(upperDirectory);
        ArgumentNullException.ThrowIfNull(marks);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(upperDirectory));
        var entries = new List<LayerEntry>();
        var firstPathOfInode = new Dictionary<ulong, string>();
        Walk(root, "", marks, entries, firstPathOfInode);
        return entries;
    }

    private static void Walk(string hostDirectory, string containerDirectory, OverlayUpperMarks marks, List<LayerEntry> entries, Dictionary<ulong, string> firstPathOfInode)
    {
        var names = Directory.EnumerateFileSystemEntries(hostDirectory).Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var hostPath = Path.Combine(hostDirectory, name);
            if (!LibC.TryLstat(hostPath, out var stat) || FileStat.TryRead(hostPath) is not { } metadata)
            {
                continue;
            }

            var kind = marks.Classify(name, metadata);
            var shown = marks.WhiteoutOf(name);
            var path = containerDirectory.Length == 0 ? shown : containerDirectory + "/" + shown;
            if (kind == UpperNameKind.Mark)
            {
                continue;
            }

            if (kind == UpperNameKind.Whiteout)
            {
                entries.Add(LayerEntry.Whiteout(path));
                continue;
            }

            var type = (uint)stat.Mode & LibC.FileTypeMask;
            var mode = (UnixFileMode)(stat.Mode & 0xFFF);
            var time = DateTimeOffset.FromUnixTimeSeconds(stat.ModifySeconds).AddTicks(stat.ModifyNanoseconds / 100);
            LayerEntry Owned(LayerEntry entry) => entry with { Uid = (int)stat.Uid, Gid = (int)stat.Gid, ModificationTime = time };
            foreach (var attribute in UnreadableAttributes)
            {
                if (LibC.TryGetXattr(hostPath, attribute) is not null)
                {
                    throw new NotSupportedException($"{path} carries {attribute}: the overlay was mounted with redirect_dir or metacopy on, and its upper folder alone does not say what changed");
                }
            }

            switch (type)
            {
                case LibC.Directory:
                    entries.Add(Owned(LayerEntry.Directory(path, mode)));
                    if (marks.IsOpaque(hostPath))
                    {
                        entries.Add(LayerEntry.OpaqueWhiteout(path));
                    }

                    Walk(hostPath, path, marks, entries, firstPathOfInode);
                    break;
                case LibC.RegularFile when stat.LinkCount > 1 && firstPathOfInode.TryGetValue(stat.Inode, out var first):
                    entries.Add(Owned(LayerEntry.HardLink(path, first, mode)));
                    break;
                case LibC.RegularFile:
                    firstPathOfInode[stat.Inode] = path;
                    entries.Add(Owned(LayerEntry.HostFile(path, hostPath, mode)));
                    break;
                case LibC.SymbolicLink:
                    entries.Add(Owned(LayerEntry.SymbolicLink(path, ReadLink(hostPath))));
                    break;
                default:
                    // Sockets, FIFOs and devices other than whiteouts: a layer made by a snapshot leaves them out too.
                    break;
            }
        }
    }

    private static string ReadLink(string hostPath) => new FileInfo(hostPath).LinkTarget ?? throw new IOException("cannot read the link " + hostPath);
}
