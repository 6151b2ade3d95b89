using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Storage;

/// <summary>
/// Turns an overlay's upper folder (everything a step changed over its layers) into the entries of an OCI layer, so
/// a snapshot costs what the step changed, not what the image holds:
/// <list type="bullet">
/// <item>a character device 0/0 is overlayfs's whiteout: the path was deleted (<c>.wh.NAME</c>);</item>
/// <item>a directory marked opaque in the mount's form (<c>trusted.overlay.opaque</c>, or <c>user.overlay.opaque</c>
/// under <c>userxattr</c>, set to <c>y</c>; <see cref="OverlayForm"/>) replaced the lower one: it is written with
/// <c>.wh..wh..opq</c> inside;</item>
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

    /// <summary>The layer entries of <paramref name="upperDirectory"/>, an upper folder of a mount in <paramref name="form"/>.</summary>
    public static IReadOnlyList<LayerEntry> Read(string upperDirectory, OverlayForm form)
    {
        ArgumentNullException.ThrowIfNull(upperDirectory);
        ArgumentNullException.ThrowIfNull(form);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(upperDirectory));
        var entries = new List<LayerEntry>();
        var firstPathOfInode = new Dictionary<ulong, string>();
        Walk(root, "", form, entries, firstPathOfInode);
        return entries;
    }

    private static void Walk(string hostDirectory, string containerDirectory, OverlayForm form, List<LayerEntry> entries, Dictionary<ulong, string> firstPathOfInode)
    {
        var names = Directory.EnumerateFileSystemEntries(hostDirectory).Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal);
        foreach (var name in names)
        {
            var hostPath = Path.Combine(hostDirectory, name);
            var path = containerDirectory.Length == 0 ? name : containerDirectory + "/" + name;
            if (!LibC.TryLstat(hostPath, out var stat))
            {
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
                case LibC.CharacterDevice when stat.RdevMajor == 0 && stat.RdevMinor == 0:
                    entries.Add(LayerEntry.Whiteout(path));
                    break;
                case LibC.Directory:
                    entries.Add(Owned(LayerEntry.Directory(path, mode)));
                    if (LibC.TryGetXattr(hostPath, form.OpaqueAttribute) is [(byte)'y'])
                    {
                        entries.Add(LayerEntry.OpaqueWhiteout(path));
                    }

                    Walk(hostPath, path, form, entries, firstPathOfInode);
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
