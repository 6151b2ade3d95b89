using System.Runtime.InteropServices;
using System.Text;

namespace Kaniko.Engine.Filesystem;

// The part of the engine's one libc class that the sandboxes and RUN mounts use: kill of a process (group), mount(2),
// a character device and an owner that report the errno instead of throwing. The rest is in LibC.cs.
internal static partial class LibC
{
    internal const int ESrch = 3;
    internal const int SigKill = 9;
    internal const ulong MsBind = 0x1000;
    internal const ulong MsRec = 0x4000;
    internal const ulong MsRdonly = 0x1;
    internal const ulong MsRemount = 0x20;
    internal const ulong MsNosuid = 0x2;
    internal const ulong MsNodev = 0x4;
    internal const ulong MsNoexec = 0x8;

    /// <summary>Sends SIGKILL to every process of group <paramref name="processGroup"/>; a group already gone is fine.</summary>
    internal static void KillProcessGroup(int processGroup)
    {
        if (processGroup > 0)
        {
            _ = kill(-processGroup, SigKill);
        }
    }

    /// <summary>Sends SIGKILL to process <paramref name="pid"/>; a process already gone is fine.</summary>
    internal static void KillProcess(int pid) => _ = kill(pid, SigKill);

    /// <summary>Makes the character device <paramref name="path"/> (mode 0666); returns 0 or the errno.</summary>
    internal static int MakeCharacterDevice(string path, uint major, uint minor) =>
        TryMknod(path, CharacterDevice | 0x1B6, major, minor);

    /// <summary>Sets the owner of <paramref name="path"/> (not following a final link); returns 0 or the errno.</summary>
    internal static int ChangeOwner(string path, uint uid, uint gid) => TryLchown(path, uid, gid);

    /// <summary>mount(2); returns 0 or the errno.</summary>
    internal static int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data) =>
        mount(source is null ? null : Utf8(source), Utf8(target), fileSystemType is null ? null : Utf8(fileSystemType), flags,
            data is null ? null : Utf8(data)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The system's text for an errno.</summary>
    internal static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");

#pragma warning disable SYSLIB1054 // byte[] arguments marshal without unsafe code, which the engine does not enable.
    [DllImport(Library, SetLastError = true)]
    private static extern int kill(int pid, int signal);

    [DllImport(Library, SetLastError = true)]
    private static extern int mount(byte[]? source, byte[] target, byte[]? fileSystemType, ulong flags, byte[]? data);

#pragma warning restore SYSLIB1054
}
