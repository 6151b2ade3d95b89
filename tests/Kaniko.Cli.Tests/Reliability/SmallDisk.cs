namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// A command prefix that runs the CLI in a private mount namespace (<c>unshare -m</c>) with a small tmpfs mounted on
/// a folder of the test's scratch root: the disk is full after <c>size</c> bytes, and the mount disappears with the
/// namespace whatever happens to the test, so nothing is left mounted on this machine.
/// </summary>
internal static class SmallDisk
{
    public static IReadOnlyList<string> Wrapper(string folder, string size)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
        {
            Assert.Skip("a small tmpfs needs root and unshare (util-linux)");
        }

        return ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", "mount -t tmpfs -o size=" + size + " kaniko-test \"$0\" && exec \"$@\"", folder];
    }
}
