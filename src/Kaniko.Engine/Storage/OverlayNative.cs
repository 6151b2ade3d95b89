using System.Runtime.InteropServices;

namespace Kaniko.Engine.Storage;

/// <summary>
/// The system calls an overlay mount needs that the base library does not expose: <c>mount</c>, <c>umount2</c>,
/// <c>unshare</c>, and the <c>ioctl</c> that names a namespace's owner.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static partial class OverlayNative
{
    internal const ulong MsRec = 0x4000;
    internal const ulong MsPrivate = 0x40000;
    internal const int MntDetach = 2;
    internal const int CloneNewNs = 0x20000;

    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MountNative(string? source, string target, string? fileSystemType, ulong flags, string? data);

    [LibraryImport(Library, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Umount2Native(string target, int flags);

    [LibraryImport(Library, EntryPoint = "unshare", SetLastError = true)]
    private static partial int UnshareNative(int flags);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlNative(int fd, ulong request);

    [LibraryImport(Library, EntryPoint = "close")]
    private static partial int CloseNative(int fd);

    // NS_GET_USERNS, _IO(0xb7, 0x1): a descriptor of the user namespace that owns a namespace.
    private const ulong NsGetUserns = 0xb701;
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    /// <summary>mount(2); 0 or the errno.</summary>
    internal static int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data) =>
        MountNative(source, target, fileSystemType, flags, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>umount2(2) with <c>MNT_DETACH</c>; 0 or the errno.</summary>
    internal static int Unmount(string target) => Umount2Native(target, MntDetach) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// Gives the calling thread a mount namespace of its own whose mounts do not propagate back (a private copy of
    /// this one): what it mounts then is seen by it and the processes it starts, and goes when they are gone.
    /// </summary>
    internal static int EnterPrivateMountNamespace()
    {
        if (UnshareNative(CloneNewNs) != 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        return Mount(null, "/", null, MsRec | MsPrivate, null);
    }

    /// <summary>
    /// Whether this process's mount namespace belongs to its user namespace: only then may the root of a user
    /// namespace mount (an overlay with <c>userxattr</c>) in it. A mount namespace made before the user namespace
    /// was entered belongs to an ancestor, which the kernel does not even name to this process (<c>EPERM</c>).
    /// </summary>
    internal static bool OwnsMountNamespace()
    {
        var mountNamespace = OpenNative("/proc/self/ns/mnt", OpenReadOnlyCloseOnExec);
        if (mountNamespace < 0)
        {
            return false;
        }

        try
        {
            var owner = IoctlNative(mountNamespace, NsGetUserns);
            if (owner < 0)
            {
                return false;
            }

            try
            {
                // Namespaces are named by their inode: "user:[4026531837]".
                var ownerName = new FileInfo("/proc/self/fd/" + owner.ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
                return ownerName is not null && ownerName == new FileInfo("/proc/self/ns/user").LinkTarget;
            }
            finally
            {
                _ = CloseNative(owner);
            }
        }
        finally
        {
            _ = CloseNative(mountNamespace);
        }
    }

    /// <summary>The system's text for <paramref name="errno"/>.</summary>
    internal static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno) + " (errno " + errno + ")";
}
