using System.Globalization;

namespace Kaniko.Engine.Storage;

/// <summary>How a stage's root can be assembled from the layer store's folders, best first.</summary>
internal enum OverlayRung
{
    /// <summary>The kernel's overlayfs, mounted as root of the machine.</summary>
    KernelOverlay,

    /// <summary>The kernel's overlayfs mounted inside a user namespace (<c>userxattr</c>, kernel 5.11 or later).</summary>
    KernelOverlayInUserNamespace,

    /// <summary>The <c>fuse-overlayfs</c> program, where <c>/dev/fuse</c> is usable.</summary>
    FuseOverlayfs,

    /// <summary>No overlay here (an unprivileged Kubernetes pod, kaniko's own mode): the layers are unpacked and diffed.</summary>
    Unpack,
}

/// <summary>The rung chosen, and what was found on the way down, for the build's log (as the isolation ladder is logged).</summary>
/// <param name="Rung">The rung used.</param>
/// <param name="Findings">One line per rung looked at: why it was taken or passed over.</param>
/// <param name="InUserNamespace">Whether the mount is made as root of a user namespace that is not the machine's.</param>
internal sealed record OverlayLadderChoice(OverlayRung Rung, IReadOnlyList<string> Findings, bool InUserNamespace = false)
{
    /// <summary>The form the store's layers must have for this rung's mounts.</summary>
    public OverlayForm Form => OverlayForm.Of(Rung, InUserNamespace);

    /// <summary>One line for the log.</summary>
    public override string ToString() => "snapshots: " + Rung + " (" + string.Join("; ", Findings) + ")";
}

/// <summary>What this machine offers an overlay mount.</summary>
/// <param name="OverlayInKernel">Whether <c>/proc/filesystems</c> lists <c>overlay</c>.</param>
/// <param name="IsRoot">Whether this process's effective user is 0.</param>
/// <param name="InInitialUserNamespace">Whether this process runs in the machine's own user namespace (its uid map is the identity of every id).</param>
/// <param name="Kernel">The kernel's version.</param>
/// <param name="FuseOverlayfs">The <c>fuse-overlayfs</c> program, when on <c>PATH</c>.</param>
/// <param name="DevFuseOpens">Whether this process may open <c>/dev/fuse</c> for reading and writing (a file system in user space needs it).</param>
/// <param name="OwnsMountNamespace">
/// Whether this process's mount namespace belongs to its user namespace (always so in the initial one); a build run
/// inside a user namespace by a host that made no mount namespace there cannot mount.
/// </param>
/// <param name="Setpriv">util-linux's <c>setpriv</c>, when on <c>PATH</c>: it ties <c>fuse-overlayfs</c> to the build (<see cref="FuseOverlayProcess"/>).</param>
internal sealed record OverlayHost(bool OverlayInKernel, bool IsRoot, bool InInitialUserNamespace, Version Kernel, string? FuseOverlayfs, bool DevFuseOpens, bool OwnsMountNamespace = true, string? Setpriv = null)
{
    /// <summary>The kernel that brought <c>userxattr</c>: overlay mounts in a user namespace.</summary>
    public static readonly Version UserXattrKernel = new(5, 11);

    /// <summary>This machine, as this process sees it.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static OverlayHost Current()
    {
        var filesystems = TryRead("/proc/filesystems") ?? "";
        var uidMap = TryRead("/proc/self/uid_map") ?? "";
        var identity = uidMap.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var initial = identity.Count == 1 && identity[0] is ["0", "0", "4294967295"];
        return new OverlayHost(
            filesystems.Split('\n').Any(l => l.Split('\t', ' ').Contains("overlay", StringComparer.Ordinal)),
            Environment.IsPrivilegedProcess,
            initial,
            ParseKernel(TryRead("/proc/sys/kernel/osrelease") ?? ""),
            FindOnPath("fuse-overlayfs"),
            CanOpen("/dev/fuse"),
            initial || OverlayNative.OwnsMountNamespace(),
            FindOnPath("setpriv"));
    }

    /// <summary>The leading <c>major.minor</c> of a kernel release such as <c>6.1.0-18-amd64</c>.</summary>
    public static Version ParseKernel(string release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var parts = release.Trim().Split('.', '-');
        return parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? new Version(major, minor)
            : new Version(0, 0);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Opening the device starts no file system; whether it opens is what the fuse-overlayfs rung needs (on many
    // machines it is root's alone, mode 0600).
    private static bool CanOpen(string device)
    {
        try
        {
            using var handle = File.OpenHandle(device, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The path of <paramref name="program"/> in a folder of <c>PATH</c>; null when none has it.</summary>
    public static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}

/// <summary>
/// Picks the overlay rung for a build: the kernel's overlayfs as root; in a user namespace with <c>userxattr</c>
/// (kernel 5.11 or later) when rootless; <c>fuse-overlayfs</c> where that is what is available; else the unpack
/// path. Each rung passed over says why.
/// </summary>
internal static class OverlayLadder
{
    /// <summary>
    /// The rung <paramref name="host"/> allows; with <paramref name="fuseOnly"/> (<c>--stage-root=fuse-overlay</c>)
    /// the kernel rungs are passed over.
    /// </summary>
    public static OverlayLadderChoice Choose(OverlayHost host, bool fuseOnly = false)
    {
        ArgumentNullException.ThrowIfNull(host);
        var findings = new List<string>();
        if (fuseOnly)
        {
            findings.Add("kernel overlay: passed over (--stage-root=fuse-overlay)");
        }
        else if (!host.OverlayInKernel)
        {
            findings.Add("kernel overlay: not in /proc/filesystems");
        }
        else if (host.IsRoot && host.InInitialUserNamespace)
        {
            findings.Add("kernel overlay: root of the machine");
            return new OverlayLadderChoice(OverlayRung.KernelOverlay, findings);
        }
        else if (!host.IsRoot)
        {
            findings.Add("kernel overlay: not root (run in a user namespace for the rootless rung)");
        }
        else if (host.Kernel < OverlayHost.UserXattrKernel)
        {
            findings.Add(string.Create(CultureInfo.InvariantCulture, $"kernel overlay in a user namespace: kernel {host.Kernel} is older than {OverlayHost.UserXattrKernel} (no userxattr)"));
        }
        else if (!host.OwnsMountNamespace)
        {
            findings.Add("kernel overlay in a user namespace: the mount namespace belongs to another user namespace (run the build in one of its own, unshare --mount)");
        }
        else
        {
            findings.Add("kernel overlay in a user namespace: userxattr");
            return new OverlayLadderChoice(OverlayRung.KernelOverlayInUserNamespace, findings, InUserNamespace: true);
        }

        if (FuseProblem(host) is { } problem)
        {
            findings.Add("fuse-overlayfs: " + problem);
        }
        else
        {
            findings.Add("fuse-overlayfs: " + host.FuseOverlayfs + (host.InInitialUserNamespace ? " as root of the machine" : " in a user namespace"));
            return new OverlayLadderChoice(OverlayRung.FuseOverlayfs, findings, !host.InInitialUserNamespace);
        }

        findings.Add("unpack: the layers are unpacked and the step's changes found by a diff");
        return new OverlayLadderChoice(OverlayRung.Unpack, findings);
    }

    /// <summary>Why <paramref name="host"/> cannot mount with <c>fuse-overlayfs</c>; null when it can.</summary>
    public static string? FuseProblem(OverlayHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host switch
        {
            { FuseOverlayfs: null } => "not installed",
            // Mounted by a user in the machine's mount namespace (through fusermount3), the mount would outlive a
            // killed build there; as root of a user namespace the build has a mount namespace of its own.
            { IsRoot: false } => "not root (run in a user namespace: the mount must be in the build's own mount namespace)",
            { OwnsMountNamespace: false } => "the mount namespace belongs to another user namespace (run the build in one of its own, unshare --mount)",
            { DevFuseOpens: false } => "/dev/fuse cannot be opened for reading and writing",
            { Setpriv: null } => "no setpriv (util-linux), which ties the program's life to the build's",
            _ => null,
        };
    }
}
