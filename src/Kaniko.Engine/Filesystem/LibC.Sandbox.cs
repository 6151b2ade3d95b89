using System.Runtime.InteropServices;
using System.Text;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// The Linux system calls the sandboxes need and the base library lacks: <c>geteuid</c>, <c>kill</c> of a process
/// group, <c>mknod</c>, <c>mount</c> and <c>umount2</c>. They are the system C library's own functions; nothing native
/// is shipped.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SandboxNative
{
    internal const int EPerm = 1;
    internal const int ESrch = 3;
    internal const int SigKill = 9;
    internal const uint CharacterDevice = 0x2000; // S_IFCHR
    internal const ulong MsBind = 0x1000;
    internal const ulong MsRec = 0x4000;
    internal const ulong MsRdonly = 0x1;
    internal const ulong MsRemount = 0x20;
    internal const ulong MsNosuid = 0x2;
    internal const ulong MsNodev = 0x4;
    internal const ulong MsNoexec = 0x8;
    internal const int MntDetach = 0x2;

    private const string Library = "libc";

    /// <summary>The effective user id of this process.</summary>
    internal static uint EffectiveUserId => LibC.EffectiveUserId;

    /// <summary>The effective group id of this process.</summary>
    internal static uint EffectiveGroupId => LibC.EffectiveGroupId;

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
        LibC.TryMknod(path, CharacterDevice | 0x1B6, major, minor);

    /// <summary>Sets the owner of <paramref name="path"/> (not following a final link); returns 0 or the errno.</summary>
    internal static int ChangeOwner(string path, uint uid, uint gid) => LibC.TryLchown(path, uid, gid);

    /// <summary>mount(2); returns 0 or the errno.</summary>
    internal static int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data) =>
        mount(source is null ? null : Utf8(source), Utf8(target), fileSystemType is null ? null : Utf8(fileSystemType), flags,
            data is null ? null : Utf8(data)) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Detaches the mount at <paramref name="target"/>; returns 0 or the errno.</summary>
    internal static int Unmount(string target) => LibC.Unmount(target);

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
