using System.Runtime.InteropServices;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// The few Linux system calls the base library does not expose: <c>statx</c> (inode, owner, ctime, birth time),
/// <c>lchown</c>, <c>link</c>, <c>mknod</c>, <c>lsetxattr</c> and <c>utimensat</c> (times of a link itself), and
/// for the sandboxes <c>kill</c> and <c>mount</c> (<c>LibC.Sandbox.cs</c>). It is the engine's one libc interop class.
/// Nothing is shipped: these are the system C library's own functions.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class LibC
{
    internal const int AtFdCwd = -100;
    internal const int AtSymlinkNoFollow = 0x100;
    internal const uint StatxBasicStats = 0x7FF;
    internal const uint StatxBirthTime = 0x800;
    internal const int EPerm = 1;
    internal const int ENoEnt = 2;
    internal const int EExist = 17;
    internal const int EInval = 22;
    internal const int EOpNotSupp = 95;

    internal const uint FileTypeMask = 0xF000; // S_IFMT
    internal const uint Fifo = 0x1000;
    internal const uint CharacterDevice = 0x2000;
    internal const uint Directory = 0x4000;
    internal const uint BlockDevice = 0x6000;
    internal const uint RegularFile = 0x8000;
    internal const uint SymbolicLink = 0xA000;
    internal const uint Socket = 0xC000;

    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatxNative(int directoryFd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Library, EntryPoint = "statx", SetLastError = true)]
    private static partial int StatxAtNative(int directoryFd, ref byte name, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport(Library, EntryPoint = "getdents64", SetLastError = true)]
    private static partial nint Getdents64Native(int fd, ref byte buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    [LibraryImport(Library, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, uint uid, uint gid);

    [LibraryImport(Library, EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LinkNative(string existing, string created);

    [LibraryImport(Library, EntryPoint = "mknod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MknodNative(string path, uint mode, ulong device);

    [LibraryImport(Library, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LsetxattrNative(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport(Library, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LgetxattrNative(string path, string name, byte[] value, nuint size);

    [LibraryImport(Library, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int UtimensatNative(int directoryFd, string path, [In] TimeSpec[] times, int flags);

    [LibraryImport(Library, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    private static partial uint GeteuidNative();

    [LibraryImport(Library, EntryPoint = "getegid")]
    private static partial uint GetegidNative();

    /// <summary>The effective user id of this process.</summary>
    internal static uint EffectiveUserId => GeteuidNative();

    /// <summary>The effective group id of this process.</summary>
    private const int MntDetach = 0x2;

    internal static uint EffectiveGroupId => GetegidNative();

    /// <summary>
    /// Detaches the mount at <paramref name="target"/> (<c>umount2(MNT_DETACH)</c>): 0, or the errno. Cleanup of a
    /// stage's root filesystem and the sandboxes both unmount through here, so libc has one interop class.
    /// </summary>
    internal static int Unmount(string target) => Umount2Native(target, MntDetach) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary><c>statx</c> of <paramref name="path"/> without following a final symbolic link; false when it does not exist.</summary>
    internal static bool TryLstat(string path, out StatxBuffer buffer)
    {
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats | StatxBirthTime, out buffer) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is ENoEnt or 20 /* ENOTDIR */)
        {
            return false;
        }

        throw Error("statx", path, errno);
    }

    /// <summary>
    /// <c>statx</c> of the entry <paramref name="name"/> of an open directory, not following a link: the kernel
    /// walks one element instead of the whole path. False when the entry is gone.
    /// </summary>
    internal static bool TryLstatAt(int directoryFd, ReadOnlySpan<char> name, out StatxBuffer buffer)
    {
        Span<byte> bytes = stackalloc byte[1024];
        if (System.Text.Encoding.UTF8.GetMaxByteCount(name.Length) >= bytes.Length)
        {
            bytes = new byte[System.Text.Encoding.UTF8.GetMaxByteCount(name.Length) + 1];
        }

        var length = System.Text.Encoding.UTF8.GetBytes(name, bytes);
        bytes[length] = 0;
        if (StatxAtNative(directoryFd, ref bytes[0], AtSymlinkNoFollow, StatxBasicStats | StatxBirthTime, out buffer) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENoEnt or 20 ? false : throw Error("statx", name.ToString(), errno);
    }

    /// <summary>
    /// <c>statx</c> of a directory entry named by NUL-terminated UTF-8 bytes (as <c>getdents64</c> returns them),
    /// relative to the open directory; false when the entry is gone.
    /// </summary>
    internal static bool TryLstatAt(int directoryFd, ref byte nulTerminatedName, out StatxBuffer buffer)
    {
        if (StatxAtNative(directoryFd, ref nulTerminatedName, AtSymlinkNoFollow, StatxBasicStats | StatxBirthTime, out buffer) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENoEnt or 20 ? false : throw Error("statx", "(directory entry)", errno);
    }

    /// <summary>
    /// Reads the next directory records of <paramref name="fd"/> into <paramref name="buffer"/> (<c>getdents64</c>):
    /// the number of bytes, 0 at the end. Each record is <c>d_ino</c> (8 bytes), <c>d_off</c> (8), <c>d_reclen</c>
    /// (2), <c>d_type</c> (1) and the NUL-terminated name, the same on every architecture.
    /// </summary>
    internal static int ReadDirectory(int fd, Span<byte> buffer)
    {
        var read = Getdents64Native(fd, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
        return read >= 0 ? (int)read : throw Error("getdents64", "(directory)", Marshal.GetLastPInvokeError());
    }

    /// <summary>Opens a directory for <see cref="TryLstatAt(int, ReadOnlySpan{char}, out StatxBuffer)"/>, never through a link; -1 when it is gone or not a directory.</summary>
    internal static int OpenDirectory(string path)
    {
        const int ReadOnlyDirectoryNoFollowCloseOnExec = 0x10000 | 0x20000 | 0x80000; // O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        var fd = OpenNative(path, ReadOnlyDirectoryNoFollowCloseOnExec);
        if (fd >= 0)
        {
            return fd;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENoEnt or 20 or 40 /* ELOOP: now a link */ ? -1 : throw Error("open", path, errno);
    }

    internal static void Close(int fd) => CloseNative(fd);

    internal static void Lchown(string path, int uid, int gid) => Check(LchownNative(path, (uint)uid, (uint)gid), "lchown", path);

    /// <summary>Sets the owner of <paramref name="path"/> itself; returns the errno (0 on success).</summary>
    internal static int TryLchown(string path, uint uid, uint gid) =>
        LchownNative(path, uid, gid) == 0 ? 0 : Marshal.GetLastPInvokeError();

    internal static void Link(string existing, string created) => Check(LinkNative(existing, created), "link", created);

    /// <summary>Makes a device node or FIFO; <paramref name="mode"/> holds the type bits and the permissions.</summary>
    internal static void Mknod(string path, uint mode, uint major, uint minor) =>
        Check(MknodNative(path, mode, MakeDevice(major, minor)), "mknod", path);

    /// <summary>Makes a device node or FIFO; returns the errno (0 on success).</summary>
    internal static int TryMknod(string path, uint mode, uint major, uint minor) =>
        MknodNative(path, mode, MakeDevice(major, minor)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    // glibc's gnu_dev_makedev: 12 bits of major and 8 of minor low, the rest high.
    private static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8)
        | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    /// <summary>Sets an extended attribute on <paramref name="path"/> itself; returns the errno (0 on success).</summary>
    internal static int TrySetXattr(string path, string name, byte[] value) =>
        LsetxattrNative(path, name, value, (nuint)value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Reads an extended attribute of <paramref name="path"/> itself; null when it is not set.</summary>
    internal static byte[]? TryGetXattr(string path, string name)
    {
        var buffer = new byte[64 * 1024];
        var length = LgetxattrNative(path, name, buffer, (nuint)buffer.Length);
        return length < 0 ? null : buffer[..(int)length];
    }

    /// <summary>Sets access and modification times of <paramref name="path"/> itself (a link is not followed).</summary>
    internal static void SetTimes(string path, DateTimeOffset modified)
    {
        var ticks = modified.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }

        var time = new TimeSpec { Seconds = seconds, Nanoseconds = rest * 100 };
        Check(UtimensatNative(AtFdCwd, path, [time, time], AtSymlinkNoFollow), "utimensat", path);
    }

    private static void Check(int result, string call, string path)
    {
        if (result != 0)
        {
            throw Error(call, path, Marshal.GetLastPInvokeError());
        }
    }

    internal static IOException Error(string call, string path, int errno) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>
    /// The kernel's <c>struct statx</c>. Unlike <c>struct stat</c> its layout is the same on every architecture
    /// (x86_64 and arm64 alike), which is why it is used here.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint Uid;
        [FieldOffset(24)] public uint Gid;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(80)] public long BirthSeconds;
        [FieldOffset(88)] public uint BirthNanoseconds;
        [FieldOffset(96)] public long ChangeSeconds;
        [FieldOffset(104)] public uint ChangeNanoseconds;
        [FieldOffset(112)] public long ModifySeconds;
        [FieldOffset(120)] public uint ModifyNanoseconds;
        [FieldOffset(128)] public uint RdevMajor;
        [FieldOffset(132)] public uint RdevMinor;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
