namespace Kaniko.Engine.Filesystem;

/// <summary>Reads <see cref="FileEntryMetadata"/> of a host path with one <c>statx</c> (plus a <c>readlink</c> for links).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class FileStat
{
    /// <summary>The metadata of <paramref name="hostPath"/> itself (a final link is not followed); null when it is gone.</summary>
    internal static FileEntryMetadata? TryRead(string hostPath) =>
        LibC.TryLstat(hostPath, out var stat) ? From(stat, hostPath) : null;

    /// <summary>The metadata of the entry <paramref name="name"/> of the open directory <paramref name="directoryFd"/>.</summary>
    internal static FileEntryMetadata? TryReadAt(int directoryFd, string hostDirectory, ReadOnlySpan<char> name) =>
        LibC.TryLstatAt(directoryFd, name, out var stat) ? From(stat, hostDirectory, name) : null;

    /// <summary>
    /// The metadata of a directory entry named by NUL-terminated UTF-8 bytes; <paramref name="name"/> is the same name
    /// as text. When every field (all but the content hash) equals <paramref name="before"/>'s, that record itself is
    /// returned, hash included, and nothing is allocated; a link is always read again.
    /// </summary>
    internal static FileEntryMetadata? TryReadAt(
        int directoryFd, string hostDirectory, ref byte nulTerminatedName, ReadOnlySpan<char> name, FileEntryMetadata? before = null)
    {
        if (!LibC.TryLstatAt(directoryFd, ref nulTerminatedName, out var stat))
        {
            return null;
        }

        return before is not null && Matches(stat, before) ? before : From(stat, hostDirectory, name);
    }

    /// <summary>Whether <paramref name="stat"/> says exactly what <paramref name="before"/> records (a link never matches: its target is not in the stat).</summary>
    private static bool Matches(in LibC.StatxBuffer stat, FileEntryMetadata before)
    {
        var kind = KindOf(stat.Mode);
        var isDevice = kind is FileEntryKind.CharacterDevice or FileEntryKind.BlockDevice;
        return kind == before.Kind && kind != FileEntryKind.SymbolicLink
            && (UnixFileMode)(stat.Mode & 0xFFF) == before.Mode
            && (int)stat.Uid == before.Uid && (int)stat.Gid == before.Gid
            && (kind == FileEntryKind.RegularFile ? (long)stat.Size : 0) == before.Size
            && Nanoseconds(stat.ModifySeconds, stat.ModifyNanoseconds) == before.ModifiedNs
            && Nanoseconds(stat.ChangeSeconds, stat.ChangeNanoseconds) == before.ChangedNs
            && ((stat.Mask & LibC.StatxBirthTime) != 0 ? Nanoseconds(stat.BirthSeconds, stat.BirthNanoseconds) : 0) == before.BornNs
            && stat.Inode == before.Inode
            && (((ulong)stat.DevMajor << 32) | stat.DevMinor) == before.Device
            && (int)stat.LinkCount == before.LinkCount
            && before.LinkTarget is null
            && (isDevice ? (int)stat.RdevMajor : 0) == before.DeviceMajor
            && (isDevice ? (int)stat.RdevMinor : 0) == before.DeviceMinor;
    }

    private static FileEntryMetadata? From(in LibC.StatxBuffer stat, string hostPath, ReadOnlySpan<char> name = default)
    {
        var kind = KindOf(stat.Mode);
        string? linkTarget = null;
        if (kind == FileEntryKind.SymbolicLink)
        {
            try
            {
                linkTarget = new FileInfo(name.IsEmpty ? hostPath : string.Concat(hostPath, "/", name)).LinkTarget;
            }
            catch (IOException)
            {
                return null;
            }
        }

        var isDevice = kind is FileEntryKind.CharacterDevice or FileEntryKind.BlockDevice;
        return new FileEntryMetadata(
            kind,
            (UnixFileMode)(stat.Mode & 0xFFF),
            (int)stat.Uid,
            (int)stat.Gid,
            kind is FileEntryKind.RegularFile or FileEntryKind.SymbolicLink ? (long)stat.Size : 0,
            Nanoseconds(stat.ModifySeconds, stat.ModifyNanoseconds),
            Nanoseconds(stat.ChangeSeconds, stat.ChangeNanoseconds),
            (stat.Mask & LibC.StatxBirthTime) != 0 ? Nanoseconds(stat.BirthSeconds, stat.BirthNanoseconds) : 0,
            stat.Inode,
            ((ulong)stat.DevMajor << 32) | stat.DevMinor,
            (int)stat.LinkCount,
            linkTarget,
            isDevice ? (int)stat.RdevMajor : 0,
            isDevice ? (int)stat.RdevMinor : 0);
    }

    internal static FileEntryKind KindOf(uint mode) => (mode & LibC.FileTypeMask) switch
    {
        LibC.Directory => FileEntryKind.Directory,
        LibC.SymbolicLink => FileEntryKind.SymbolicLink,
        LibC.CharacterDevice => FileEntryKind.CharacterDevice,
        LibC.BlockDevice => FileEntryKind.BlockDevice,
        LibC.Fifo => FileEntryKind.Fifo,
        LibC.Socket => FileEntryKind.Socket,
        _ => FileEntryKind.RegularFile,
    };

    private static long Nanoseconds(long seconds, uint nanoseconds) => (seconds * 1_000_000_000) + nanoseconds;
}
