using Kaniko.Engine.Filesystem;
using Kaniko.Testing;
using static Kaniko.Engine.Tests.Filesystem.RootFsTestLayers;

namespace Kaniko.Engine.Tests.Filesystem;

/// <summary>The three <c>--snapshot-mode</c> rules over the same changes: which paths each one reports.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SnapshotModeTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(SnapshotMode.Redo, "/chmod.txt /rewritten.txt /touched.txt")]
    [InlineData(SnapshotMode.Full, "/chmod.txt /rewritten.txt")]
    [InlineData(SnapshotMode.Time, "/rewritten.txt /touched.txt")]
    public async Task Each_mode_decides_with_its_own_rule(object mode, string expected)
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            Text("chmod.txt", "c"), Text("touched.txt", "t"), Text("rewritten.txt", "r"), Text("same.txt", "s"));
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;
        var mtime = File.GetLastWriteTimeUtc(root + "/chmod.txt");

        // A chmod that keeps the time: only the mode says so.
        File.SetUnixFileMode(root + "/chmod.txt", (UnixFileMode)0x1ED);
        File.SetLastWriteTimeUtc(root + "/chmod.txt", mtime);
        // The same content written again: a new time, nothing else.
        File.SetLastWriteTimeUtc(root + "/touched.txt", mtime.AddHours(1));
        // New content, new time.
        await File.WriteAllTextAsync(root + "/rewritten.txt", "R", Cancellation);
        File.SetLastWriteTimeUtc(root + "/rewritten.txt", mtime.AddHours(2));

        var diff = await Snapshotter.DiffAsync(rootFs, before, (SnapshotMode)mode, Cancellation);

        Assert.Equal(expected, string.Join(' ', diff.Changes.Select(c => c.Path)));
    }

    [Theory]
    [InlineData(SnapshotMode.Redo)]
    [InlineData(SnapshotMode.Full)]
    [InlineData(SnapshotMode.Time)]
    public async Task Added_and_deleted_paths_count_in_every_mode(object mode)
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("old.txt", "o"), Text("dir/keep", "k"));
        var before = await Snapshotter.IndexAsync(rootFs, Cancellation);
        var root = rootFs.HostDirectory;
        var dirTime = Directory.GetLastWriteTimeUtc(root);
        File.Delete(root + "/old.txt");
        await File.WriteAllTextAsync(root + "/dir/new.txt", "n", Cancellation);
        Directory.SetLastWriteTimeUtc(root + "/dir", dirTime);

        var diff = await Snapshotter.DiffAsync(rootFs, before, (SnapshotMode)mode, Cancellation);

        Assert.Contains(diff.Changes, c => c.Path == "/old.txt" && c.Kind == FileChangeKind.Deleted);
        Assert.Contains(diff.Changes, c => c.Path == "/dir/new.txt" && c.Kind == FileChangeKind.Added);
    }
}
