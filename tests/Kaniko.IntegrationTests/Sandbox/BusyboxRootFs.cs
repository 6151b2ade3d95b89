using System.Text;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>
/// A root filesystem in a temporary folder made from the host's static busybox (Debian's busybox-static), like the
/// offline busybox base image of <see cref="BaseImages"/>: <c>/bin/busybox</c> and a relative link per applet, users
/// root, app (1000, also in the groups staff and audio) and nobody. It has no <c>/proc</c>, <c>/dev</c>,
/// <c>/etc/hosts</c> or <c>/etc/resolv.conf</c>, so the tests see whether a sandbox leaves its mount points behind.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BusyboxRootFs : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-rootfs-");

    private BusyboxRootFs()
    {
    }

    /// <summary>The host folder of the rootfs.</summary>
    public string Path => _directory.Path;

    /// <summary>Builds a fresh rootfs; skips (fails in CI) when busybox-static is missing.</summary>
    public static async Task<BusyboxRootFs> CreateAsync()
    {
        if (!File.Exists(BaseImages.BusyboxBinary))
        {
            TestRequirements.Unavailable(TestRequirements.NotInstalled("busybox-static"));
        }

        var rootFs = new BusyboxRootFs();
        // A temporary folder is private (0700); the / of an image is 0755, and other users must enter it.
        File.SetUnixFileMode(rootFs.Path, (UnixFileMode)0x1ED);
        var bin = rootFs.Combine("bin");
        Directory.CreateDirectory(bin);
        File.Copy(BaseImages.BusyboxBinary, System.IO.Path.Combine(bin, "busybox"));
        File.SetUnixFileMode(System.IO.Path.Combine(bin, "busybox"), (UnixFileMode)0x1ED);
        var list = await ExternalTools.RunCheckedAsync(BaseImages.BusyboxBinary, ["--list"]);
        foreach (var applet in list.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                     .Where(a => a != "busybox" && !a.Contains('/', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            File.CreateSymbolicLink(System.IO.Path.Combine(bin, applet), "busybox");
        }

        Directory.CreateDirectory(rootFs.Combine("etc"));
        File.WriteAllText(rootFs.Combine("etc", "passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
            Encoding.ASCII);
        File.WriteAllText(rootFs.Combine("etc", "group"),
            "root:x:0:\nstaff:x:50:app\naudio:x:29:other,app\napp:x:1000:\nnogroup:x:65534:\n", Encoding.ASCII);
        Directory.CreateDirectory(rootFs.Combine("root"), (UnixFileMode)0x1C0);
        Directory.CreateDirectory(rootFs.Combine("home", "app"));
        Directory.CreateDirectory(rootFs.Combine("tmp"), (UnixFileMode)0x3FF);
        File.SetUnixFileMode(rootFs.Combine("tmp"), (UnixFileMode)0x3FF);
        return rootFs;
    }

    /// <summary>Combines <see cref="Path"/> with <paramref name="parts"/>.</summary>
    public string Combine(params string[] parts) => _directory.Combine(parts);

    /// <summary>The names at the top of the rootfs, sorted.</summary>
    public IReadOnlyList<string> TopLevel() =>
        Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    /// <summary>A spec that runs <c>/bin/sh -c <paramref name="script"/></c> as <paramref name="user"/> in this rootfs.</summary>
    public SandboxSpec Shell(string script, string user = "") => new(Path, ["/bin/sh", "-c", script], [DefaultPath], user, "/");

    /// <summary>The PATH BuildKit gives a Linux step.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Deletes the rootfs.</summary>
    public void Dispose() => _directory.Dispose();
}
