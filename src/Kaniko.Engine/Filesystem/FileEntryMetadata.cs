namespace Kaniko.Engine.Filesystem;

/// <summary>What kind of file a path of the root filesystem is.</summary>
internal enum FileEntryKind
{
    /// <summary>A regular file.</summary>
    RegularFile,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link.</summary>
    SymbolicLink,

    /// <summary>A character device node.</summary>
    CharacterDevice,

    /// <summary>A block device node.</summary>
    BlockDevice,

    /// <summary>A named pipe.</summary>
    Fifo,

    /// <summary>A Unix socket.</summary>
    Socket,
}

/// <summary>
/// The metadata of one path as <c>lstat</c> sees it: enough to tell whether a step changed it without reading its
/// content. Times are nanoseconds since the Unix epoch.
/// </summary>
/// <param name="Kind">The file type.</param>
/// <param name="Mode">Permission bits with setuid, setgid and sticky (the low 12 bits of <c>st_mode</c>).</param>
/// <param name="Uid">The owner, or the owner a layer asked for when the process could not give it.</param>
/// <param name="Gid">The group, likewise.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="ModifiedNs">The modification time.</param>
/// <param name="ChangedNs">The inode change time; any write, chmod, chown or link moves it.</param>
/// <param name="BornNs">The birth time when the file system reports one, else 0; tells a recreated directory apart.</param>
/// <param name="Inode">The inode number.</param>
/// <param name="Device">The device holding the inode (major in the high 32 bits).</param>
/// <param name="LinkCount">The number of hard links.</param>
/// <param name="LinkTarget">The target of a symbolic link, as stored.</param>
/// <param name="DeviceMajor">For a device node, its major number.</param>
/// <param name="DeviceMinor">For a device node, its minor number.</param>
internal sealed record FileEntryMetadata(
    FileEntryKind Kind,
    UnixFileMode Mode,
    int Uid,
    int Gid,
    long Size,
    long ModifiedNs,
    long ChangedNs,
    long BornNs,
    ulong Inode,
    ulong Device,
    int LinkCount,
    string? LinkTarget,
    int DeviceMajor = 0,
    int DeviceMinor = 0)
{
    /// <summary>
    /// The SHA-256 of a regular file's content when it is known without reading the file again (the file was
    /// written by a layer, or hashed by an earlier snapshot); null otherwise.
    /// </summary>
    public byte[]? ContentHash { get; init; }

    /// <summary>The modification time as a date.</summary>
    public DateTimeOffset ModificationTime =>
        DateTimeOffset.UnixEpoch.AddTicks(ModifiedNs / 100);

    /// <summary>Whether the path is the same inode as <paramref name="other"/> (not deleted and made again).</summary>
    public bool IsSameFile(FileEntryMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Inode == other.Inode && Device == other.Device && BornNs == other.BornNs && Kind == other.Kind;
    }

    /// <summary>
    /// Whether the metadata a layer records, or the size and modification time that betray a content change, differ
    /// from <paramref name="other"/>. Equal here and a different change time means only the content can tell.
    /// </summary>
    public bool HasVisibleChange(FileEntryMetadata other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Kind != other.Kind || Mode != other.Mode || Uid != other.Uid || Gid != other.Gid
            || Size != other.Size || ModifiedNs != other.ModifiedNs
            || !string.Equals(LinkTarget, other.LinkTarget, StringComparison.Ordinal)
            || DeviceMajor != other.DeviceMajor || DeviceMinor != other.DeviceMinor;
    }
}
