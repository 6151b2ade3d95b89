using System.Runtime.InteropServices;

namespace Kaniko.Engine.Storage;

/// <summary>The system calls an overlay mount needs that the base library does not expose: <c>mount</c>, <c>umount2</c>, <c>unshare</c>.</summary>
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

    /// <summary>The system's text for <paramref name="errno"/>.</summary>
    internal static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno) + " (errno " + errno + ")";
}
