using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Testing;
using static Kaniko.Engine.Tests.Filesystem.RootFsTestLayers;

namespace Kaniko.Engine.Tests.Filesystem;

/// <summary>
/// Unpacking over <c>/</c> of a container (kaniko's mode), played by a folder whose ignored paths stand for the
/// container's mounts: they are neither written, replaced nor removed, and a directory holding one is only emptied.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootFsLeftAloneTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Mounted_files_and_directories_holding_mounts_are_left_as_they_are()
    {
        using var work = new TempDirectory();
        var root = work.Combine("root");
        Directory.CreateDirectory(root + "/etc");
        File.WriteAllText(root + "/etc/hostname", "pod-name\n");
        Directory.CreateDirectory(root + "/var/run/secrets/kubernetes.io/serviceaccount");
        File.WriteAllText(root + "/var/run/secrets/kubernetes.io/serviceaccount/token", "t");
        File.WriteAllText(root + "/var/run/stale", "s");
        var rootFs = new RootFs(root, new IgnoredPaths(["/etc/hostname", "/var/run/secrets", "/kaniko"])) { LeavesIgnoredAlone = true };

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            Text("etc/hostname", ""),
            Text("etc/os-release", "debian\n"),
            LayerEntry.SymbolicLink("var/run", "/run"),
            LayerEntry.Directory("sys"),
            Text("kaniko/executor", "not the tool"));

        Assert.Equal("pod-name\n", File.ReadAllText(root + "/etc/hostname"));
        Assert.Equal("debian\n", File.ReadAllText(root + "/etc/os-release"));
        Assert.Null(new DirectoryInfo(root + "/var/run").LinkTarget);
        Assert.Equal("t", File.ReadAllText(root + "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        Assert.False(Directory.Exists(root + "/sys"));
        Assert.False(Directory.Exists(root + "/kaniko"));

        // A whiteout and an opaque directory above a mount remove everything but the mount.
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, LayerEntry.Whiteout("var"), LayerEntry.OpaqueWhiteout("etc"), Text("etc/new", "n"));

        Assert.False(File.Exists(root + "/var/run/stale"));
        Assert.True(File.Exists(root + "/var/run/secrets/kubernetes.io/serviceaccount/token"));
        Assert.Equal(["hostname", "new"], Directory.GetFileSystemEntries(root + "/etc").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_root_of_its_own_writes_what_it_ignores()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"), new IgnoredPaths(["/etc/hostname"]));

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("etc/hostname", "from the layer\n"));

        Assert.False(rootFs.LeavesIgnoredAlone);
        Assert.Equal("from the layer\n", File.ReadAllText(rootFs.HostDirectory + "/etc/hostname"));
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/var", true)]
    [InlineData("/var/run", true)]
    [InlineData("/var/run/secrets", false)]
    [InlineData("/var/lib", false)]
    [InlineData("/tmp", true)]
    [InlineData("/etc", false)]
    public void A_directory_holds_an_ignored_path_below_it(string path, bool holds)
    {
        var ignored = new IgnoredPaths(["/var/run/secrets", "/tmp/kaniko-*"]);

        Assert.Equal(holds, ignored.HoldsIgnored(path));
    }
}
