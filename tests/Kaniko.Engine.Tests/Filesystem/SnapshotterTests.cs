using System.Globalization;
using System.Text;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Testing;
using static Kaniko.Engine.Tests.Filesystem.RootFsTestLayers;

namespace Kaniko.Engine.Tests.Filesystem;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SnapshotterTests
{
    private const UnixFileMode Executable = (UnixFileMode)0x1ED; // 0755

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static LayerEntry[] BaseLayer() =>
    [
        Text("a.txt", "aaaa"),
        Text("b.txt", "bbbb"),
        Text("c.txt", "cccc"),
        Text("d.txt", "dddd"),
        Text("e.txt", "eeee"),
        Text("keep/unchanged", "same"),
        Text("dir/x", "x"),
        Text("dir/sub/y", "y"),
        Text("gone/deep/z", "z"),
        LayerEntry.SymbolicLink("link", "a.txt"),
    ];

    [Fact]
    public async Task Finds_what_a_step_changed()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, BaseLayer());
        Directory.SetLastWriteTimeUtc(rootFs.HostDirectory + "/keep", Time.UtcDateTime);
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;

        await File.WriteAllTextAsync(root + "/new.txt", "new", Cancellation);
        // Same size, modification time put back: only the change time and the content tell.
        var mtime = File.GetLastWriteTimeUtc(root + "/b.txt");
        await File.WriteAllTextAsync(root + "/b.txt", "BBBB", Cancellation);
        File.SetLastWriteTimeUtc(root + "/b.txt", mtime);
        File.SetUnixFileMode(root + "/c.txt", Executable);
        var isRoot = Environment.UserName == "root";
        if (isRoot)
        {
            LibC.Lchown(root + "/d.txt", 1000, 1000);
        }

        File.Delete(root + "/e.txt");
        Directory.Delete(root + "/dir", recursive: true);
        Directory.CreateDirectory(root + "/dir");
        await File.WriteAllTextAsync(root + "/dir/fresh", "f", Cancellation);
        Directory.Delete(root + "/gone", recursive: true);
        LibC.Link(root + "/a.txt", root + "/hard-a");
        File.Delete(root + "/link");
        File.CreateSymbolicLink(root + "/link", "b.txt");
        // Only the change time of this directory moves: not a change.
        Directory.SetLastWriteTimeUtc(root + "/keep", Time.UtcDateTime);

        var diff = await Snapshotter.DiffAsync(rootFs, before, Cancellation);

        string[] expected =
        [
            "Modified /a.txt",
            "Modified /b.txt",
            "Modified /c.txt",
            .. isRoot ? ["Modified /d.txt"] : Array.Empty<string>(),
            "Modified /dir",
            "OpaqueDirectory /dir",
            "Added /dir/fresh",
            "Deleted /e.txt",
            "Deleted /gone",
            "Added /hard-a -> /a.txt",
            "Modified /link",
            "Added /new.txt",
        ];
        Assert.Equal(expected, diff.Changes.Select(Describe));
    }

    [Fact]
    public async Task A_chmod_put_back_or_a_rewrite_with_the_same_bytes_is_no_change()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, BaseLayer());
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;

        var mode = File.GetUnixFileMode(root + "/a.txt");
        File.SetUnixFileMode(root + "/a.txt", Executable);
        File.SetUnixFileMode(root + "/a.txt", mode);
        var mtime = File.GetLastWriteTimeUtc(root + "/b.txt");
        await File.WriteAllTextAsync(root + "/b.txt", "bbbb", Cancellation);
        File.SetLastWriteTimeUtc(root + "/b.txt", mtime);

        var diff = await Snapshotter.DiffAsync(rootFs, before, Cancellation);

        Assert.True(diff.IsEmpty, string.Join(", ", diff.Changes.Select(Describe)));
        Assert.NotNull(diff.NewIndex.TryGetValue("/b.txt", out var b) ? b.ContentHash : null);
    }

    [Fact]
    public async Task The_new_index_is_the_baseline_of_the_next_step()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, BaseLayer());
        var first = await Snapshotter.DiffAsync(rootFs, await Snapshotter.IndexAsync(rootFs, Cancellation), Cancellation);
        Assert.True(first.IsEmpty);

        await File.WriteAllTextAsync(rootFs.HostDirectory + "/step1", "1", Cancellation);
        var second = await Snapshotter.DiffAsync(rootFs, first.NewIndex, Cancellation);
        await File.WriteAllTextAsync(rootFs.HostDirectory + "/step2", "2", Cancellation);
        var third = await Snapshotter.DiffAsync(rootFs, second.NewIndex, Cancellation);

        Assert.Equal(["Added /step1"], second.Changes.Select(Describe));
        Assert.Equal(["Added /step2"], third.Changes.Select(Describe));
    }

    [Fact]
    public async Task A_full_snapshot_holds_every_path()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("a/b", "1"), LayerEntry.SymbolicLink("l", "a"));

        var diff = await Snapshotter.FullAsync(rootFs, Cancellation);

        Assert.Equal(["Added /a", "Added /a/b", "Added /l"], diff.Changes.Select(Describe));
    }

    [Fact]
    public async Task Ignored_paths_are_neither_indexed_nor_snapshotted()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"), new IgnoredPaths(["/run/secrets", "/tmp/kaniko-*"]));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("proc/cpuinfo", "x"), Text("tmp/keep", "k"), Text("run/secrets/old", "s"));
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;
        Assert.False(before.Contains("/proc/cpuinfo"));
        Assert.False(before.Contains("/run/secrets"));

        await File.WriteAllTextAsync(root + "/proc/new", "p", Cancellation);
        File.Delete(root + "/run/secrets/old");
        await File.WriteAllTextAsync(root + "/run/secrets/token", "t", Cancellation);
        Directory.CreateDirectory(root + "/tmp/kaniko-123/x");
        Directory.CreateDirectory(root + "/sys/fs");
        await File.WriteAllTextAsync(root + "/tmp/mine", "m", Cancellation);

        var diff = await Snapshotter.DiffAsync(rootFs, before, Cancellation);

        Assert.Equal(["Modified /tmp", "Added /tmp/mine"], diff.Changes.Select(Describe));
    }

    [Theory]
    [InlineData("/proc", true)]
    [InlineData("/proc/1/status", true)]
    [InlineData("/procfs", false)]
    [InlineData("/sys", true)]
    [InlineData("/dev/null", true)]
    [InlineData("/devices", false)]
    [InlineData("/run/secrets/token", true)]
    [InlineData("/run/secretsx", false)]
    [InlineData("/tmp/kaniko-abc", true)]
    [InlineData("/tmp/kaniko-abc/deep", true)]
    [InlineData("/tmp/kaniko", false)]
    [InlineData("/tmp", false)]
    [InlineData("/", false)]
    public void Ignored_paths_match_a_path_and_what_lies_below_it(string path, bool ignored)
    {
        var paths = new IgnoredPaths(["/run/secrets", "tmp/kaniko-*/"]);

        Assert.Equal(ignored, paths.IsIgnored(path));
    }

    [Fact]
    public async Task A_snapshot_layer_applied_to_the_base_gives_the_same_tree()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, BaseLayer());
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;
        await File.WriteAllTextAsync(root + "/b.txt", "changed content", Cancellation);
        File.Delete(root + "/e.txt");
        Directory.Delete(root + "/dir", recursive: true);
        Directory.CreateDirectory(root + "/dir");
        await File.WriteAllTextAsync(root + "/dir/fresh", "f", Cancellation);
        LibC.Link(root + "/a.txt", root + "/hard-a");
        Directory.Delete(root + "/gone", recursive: true);

        var diff = await Snapshotter.DiffAsync(rootFs, before, Cancellation);
        var layer = await new LayerWriter().WriteAsync(diff.ToLayerEntries(), work.Combine("blobs"), Cancellation);
        var replay = new RootFs(work.Combine("replay"));
        await ApplyAsync(replay, work.Combine("blobs"), Cancellation, BaseLayer());
        await replay.ApplyLayerAsync(layer, Cancellation);

        Assert.Equal(Describe(root), Describe(replay.HostDirectory));
        Assert.Equal(FileStat.TryRead(replay.HostDirectory + "/a.txt")!.Inode, FileStat.TryRead(replay.HostDirectory + "/hard-a")!.Inode);
    }

    private static string Describe(FileChange change) =>
        change.Kind + " " + change.Path + (change.HardLinkTarget is { } target ? " -> " + target : string.Empty);

    /// <summary>Every path under a host directory with its kind, mode, link target and content.</summary>
    private static List<string> Describe(string hostRoot)
    {
        var lines = new List<string>();
        foreach (var path in Directory.EnumerateFileSystemEntries(hostRoot, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var metadata = FileStat.TryRead(path)!;
            var content = metadata.Kind == FileEntryKind.RegularFile ? Encoding.UTF8.GetString(File.ReadAllBytes(path)) : string.Empty;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{path[hostRoot.Length..]} {metadata.Kind} {Convert.ToString((int)metadata.Mode, 8)} {metadata.Uid}:{metadata.Gid} {metadata.LinkTarget} {content}"));
        }

        return lines;
    }
}
