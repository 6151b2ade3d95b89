using System.Formats.Tar;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Testing;
using static Kaniko.Engine.Tests.Filesystem.RootFsTestLayers;

namespace Kaniko.Engine.Tests.Filesystem;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootFsTests
{
    private const UnixFileMode SetuidTool = (UnixFileMode)0x9ED; // 04755
    private const UnixFileMode StickyDirectory = (UnixFileMode)0x3FF; // 01777

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Unpacks_directories_files_links_with_modes_and_times()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            LayerEntry.Directory("etc") with { ModificationTime = Time },
            Text("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
            LayerEntry.Directory("tmp", StickyDirectory) with { ModificationTime = Time },
            Text("bin/tool", "#!/bin/sh\n", SetuidTool),
            LayerEntry.SymbolicLink("bin/sh", "tool") with { ModificationTime = Time },
            LayerEntry.HardLink("bin/tool2", "bin/tool", SetuidTool),
            Text("deep/er/file", "x"));

        var root = rootFs.HostDirectory;
        Assert.Equal("root:x:0:0::/root:/bin/sh\n", await File.ReadAllTextAsync(root + "/etc/passwd", Cancellation));
        Assert.Equal(SetuidTool, FileStat.TryRead(root + "/bin/tool")!.Mode);
        Assert.Equal(StickyDirectory, FileStat.TryRead(root + "/tmp")!.Mode);
        Assert.Equal("tool", new FileInfo(root + "/bin/sh").LinkTarget);
        Assert.Equal(Time, new FileInfo(root + "/bin/sh").LastWriteTimeUtc);
        Assert.Equal(FileStat.TryRead(root + "/bin/tool")!.Inode, FileStat.TryRead(root + "/bin/tool2")!.Inode);
        Assert.Equal("x", await File.ReadAllTextAsync(root + "/deep/er/file", Cancellation));
        // Set after the directory's content was written, so the content did not move it.
        Assert.Equal(Time, Directory.GetLastWriteTimeUtc(root + "/etc"));
        Assert.Equal(Time, Directory.GetLastWriteTimeUtc(root + "/tmp"));
    }

    [Fact]
    public async Task A_whiteout_deletes_the_lower_path()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("a/x", "1"), Text("a/y", "2"), Text("d/z/deep", "3"));

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, LayerEntry.Whiteout("a/x"), LayerEntry.Whiteout("d"));

        Assert.Equal(["y"], Directory.GetFileSystemEntries(rootFs.HostDirectory + "/a").Select(Path.GetFileName));
        Assert.False(Directory.Exists(rootFs.HostDirectory + "/d"));
    }

    [Fact]
    public async Task An_opaque_whiteout_clears_lower_content_but_keeps_its_own_layer()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            Text("d/old", "1"), Text("d/sub/old", "2"), Text("d/-kept", "lower"), Text("other/f", "3"));

        // "d/-early" and "d/-kept" sort before ".wh..wh..opq", so they are written before the whiteout is read.
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            LayerEntry.OpaqueWhiteout("d"), Text("d/-early", "e"), Text("d/-kept", "upper"), Text("d/sub/new", "n"));

        var d = rootFs.HostDirectory + "/d";
        Assert.Equal(["-early", "-kept", "sub"], Directory.GetFileSystemEntries(d).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("upper", await File.ReadAllTextAsync(d + "/-kept", Cancellation));
        Assert.Equal(["new"], Directory.GetFileSystemEntries(d + "/sub").Select(Path.GetFileName));
        Assert.True(File.Exists(rootFs.HostDirectory + "/other/f"));
    }

    [Fact]
    public async Task A_directory_replaced_by_a_file_is_deleted_and_a_file_under_a_file_replaces_it()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("x/child", "1"), Text("f", "file"));

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("x", "now a file"), Text("f/inside", "2"));

        Assert.Equal("now a file", await File.ReadAllTextAsync(rootFs.HostDirectory + "/x", Cancellation));
        Assert.Equal("2", await File.ReadAllTextAsync(rootFs.HostDirectory + "/f/inside", Cancellation));
    }

    [Fact]
    public async Task Owners_are_applied_as_root()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("chown needs root");
        }

        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            Text("owned", "x", SetuidTool) with { Uid = 1234, Gid = 5678 },
            LayerEntry.SymbolicLink("link", "owned") with { Uid = 42, Gid = 43 });

        var file = FileStat.TryRead(rootFs.HostDirectory + "/owned")!;
        Assert.Equal((1234, 5678), (file.Uid, file.Gid));
        Assert.Equal(SetuidTool, file.Mode); // chmod after chown keeps setuid
        var link = FileStat.TryRead(rootFs.HostDirectory + "/link")!;
        Assert.Equal((42, 43), (link.Uid, link.Gid));
        Assert.Empty(rootFs.WantedOwners);
    }

    [Fact]
    public async Task Without_root_owners_are_recorded_warned_once_and_reported_by_the_index()
    {
        using var work = new TempDirectory();
        var sink = new CollectingSink();
        var rootFs = new RootFs(work.Combine("root"), null, sink, privileged: false);

        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation,
            Text("owned", "x") with { Uid = 1234, Gid = 5678 },
            Text("other", "y") with { Uid = 42, Gid = 43 },
            LayerEntry.HardLink("owned-link", "owned"));
        var index = await Snapshotter.IndexAsync(rootFs, Cancellation);

        Assert.Single(sink.Warnings, w => w.Code == DiagnosticCodes.RootFsOwnersNotApplied);
        Assert.Equal((1234, 5678), rootFs.WantedOwners["/owned"]);
        Assert.True(index.TryGetValue("/owned", out var owned));
        Assert.Equal((1234, 5678), (owned.Uid, owned.Gid));
        Assert.True(index.TryGetValue("/owned-link", out var link));
        Assert.Equal((1234, 5678), (link.Uid, link.Gid));

        // A file made again by a step is a new inode, owned by whoever made it.
        File.Delete(rootFs.HostDirectory + "/other");
        await File.WriteAllTextAsync(rootFs.HostDirectory + "/other", "z", Cancellation);
        var diff = await Snapshotter.DiffAsync(rootFs, index, Cancellation);
        var other = Assert.Single(diff.Changes, c => c.Path == "/other").Metadata!;
        Assert.Equal(FileStat.TryRead(rootFs.HostDirectory + "/other")!.Uid, other.Uid);
    }

    [Fact]
    public async Task A_tar_climbing_out_with_dot_dot_stays_inside()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));

        await rootFs.ApplyTarAsync(RawTar(RawFile("../../escape", "x"), RawFile("a/../../../escape2", "y")), "hostile", Cancellation);

        Assert.True(File.Exists(rootFs.HostDirectory + "/escape"));
        Assert.True(File.Exists(rootFs.HostDirectory + "/escape2"));
        Assert.Equal(["root"], Directory.GetFileSystemEntries(work.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Whiteouts_that_name_no_sibling_delete_nothing()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await ApplyAsync(rootFs, work.Combine("blobs"), Cancellation, Text("a/b/c", "1"));

        await rootFs.ApplyTarAsync(RawTar(RawFile("a/b/.wh.", ""), RawFile("a/b/.wh..", ""), RawFile("a/b/.wh...", "")), "odd whiteouts", Cancellation);

        Assert.True(File.Exists(rootFs.HostDirectory + "/a/b/c"));
    }

    [Fact]
    public async Task Writes_through_links_to_outside_land_inside_the_root()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        var outside = work.Combine("outside");
        Directory.CreateDirectory(outside);
        var marker = "kaniko-rootfs-test-" + Guid.NewGuid().ToString("N");

        await rootFs.ApplyTarAsync(RawTar(
            RawLink(TarEntryType.SymbolicLink, "etclink", "/etc"),
            RawFile("etclink/" + marker, "absolute"),
            RawLink(TarEntryType.SymbolicLink, "uplink", "../../outside"),
            RawFile("uplink/written", "relative"),
            RawLink(TarEntryType.SymbolicLink, "file-link", outside + "/victim"),
            RawFile("file-link", "replaces the link, not the target")), "hostile", Cancellation);

        Assert.Equal("absolute", await File.ReadAllTextAsync(rootFs.HostDirectory + "/etc/" + marker, Cancellation));
        Assert.False(File.Exists("/etc/" + marker));
        Assert.Equal("relative", await File.ReadAllTextAsync(rootFs.HostDirectory + "/outside/written", Cancellation));
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Null(new FileInfo(rootFs.HostDirectory + "/file-link").LinkTarget);
    }

    [Fact]
    public async Task A_hard_link_to_outside_the_root_is_refused()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await File.WriteAllTextAsync(work.Combine("secret"), "host", Cancellation);

        var error = await Assert.ThrowsAsync<KanikoException>(() => rootFs.ApplyTarAsync(
            RawTar(RawLink(TarEntryType.HardLink, "stolen", "../secret")), "hostile", Cancellation));

        Assert.Equal(DiagnosticCodes.LayerHardLinkInvalid, error.Code);
        Assert.False(File.Exists(rootFs.HostDirectory + "/stolen"));
        Assert.Equal(1, FileStat.TryRead(work.Combine("secret"))!.LinkCount);
    }

    [Fact]
    public async Task A_hard_link_through_a_link_to_outside_links_inside()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        await File.WriteAllTextAsync(work.Combine("secret"), "host", Cancellation);

        await rootFs.ApplyTarAsync(RawTar(
            RawLink(TarEntryType.SymbolicLink, "up", "../.."),
            RawFile("secret", "inside"),
            RawLink(TarEntryType.HardLink, "stolen", "up/secret")), "hostile", Cancellation);

        Assert.Equal("inside", await File.ReadAllTextAsync(rootFs.HostDirectory + "/stolen", Cancellation));
        Assert.Equal(1, FileStat.TryRead(work.Combine("secret"))!.LinkCount);
    }

    [Fact]
    public async Task Extended_attributes_from_pax_records_are_set()
    {
        using var work = new TempDirectory();
        var sink = new CollectingSink();
        var rootFs = new RootFs(work.Combine("root"), events: sink);

        await rootFs.ApplyTarAsync(RawTar(
            RawFile("with-xattr", "x", [new("SCHILY.xattr.user.kaniko", "hello"), new("LIBARCHIVE.xattr.user.bin", Convert.ToBase64String([1, 0, 255]))])),
            "xattrs", Cancellation);

        var text = LibC.TryGetXattr(rootFs.HostDirectory + "/with-xattr", "user.kaniko");
        if (text is null)
        {
            Assert.Contains(sink.Warnings, w => w.Code == DiagnosticCodes.RootFsXattrSkipped);
            Assert.Skip("this file system does not take user extended attributes");
        }

        Assert.Equal("hello", Encoding.UTF8.GetString(text));
        Assert.Equal([1, 0, 255], LibC.TryGetXattr(rootFs.HostDirectory + "/with-xattr", "user.bin"));
    }

    [Fact]
    public async Task A_layer_kept_for_a_userxattr_overlay_sets_no_attribute_overlayfs_would_obey()
    {
        using var work = new TempDirectory();
        var sink = new CollectingSink();
        var rootFs = new RootFs(work.Combine("root"), events: sink) { KeepsWhiteouts = true, OverlayOpaqueAttribute = "user.overlay.opaque" };

        await rootFs.ApplyTarAsync(RawTar(
            RawFile("hidden/kept", "x", [new("SCHILY.xattr.user.overlay.opaque", "y"), new("SCHILY.xattr.user.kaniko", "hello")])),
            "overlay-attributes", Cancellation);

        Assert.Null(LibC.TryGetXattr(rootFs.HostDirectory + "/hidden/kept", "user.overlay.opaque"));
        Assert.Contains(sink.Warnings, w => w.Code == DiagnosticCodes.RootFsXattrSkipped && w.Message.Contains("user.overlay.opaque", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_binary_pax_extended_attribute_is_set_byte_for_byte()
    {
        using var work = new TempDirectory();
        var sink = new CollectingSink();
        var rootFs = new RootFs(work.Combine("root"), events: sink);
        byte[] binary = [0x01, 0x00, 0x00, 0x02, 0xFF, 0xFE, 0x80, 0x7F];
        // TarWriter only writes text values: write a placeholder of the same length and put the bytes in its place,
        // as Go's archive/tar writes them.
        var tar = RawTar(RawFile("capable", "x", [new("SCHILY.xattr.user.kaniko.bin", "QQQQQQQQ")]), RawFile("after", "y")).ToArray();
        var at = tar.AsSpan().IndexOf("QQQQQQQQ"u8);
        binary.CopyTo(tar, at);

        await rootFs.ApplyTarAsync(new MemoryStream(tar), "binary xattr", Cancellation);

        var value = LibC.TryGetXattr(rootFs.HostDirectory + "/capable", "user.kaniko.bin");
        if (value is null && sink.Warnings.Any(w => w.Code == DiagnosticCodes.RootFsXattrSkipped && w.Message.Contains("Operation not supported", StringComparison.Ordinal)))
        {
            Assert.Skip("this file system does not take user extended attributes");
        }

        Assert.Equal(binary, value);
        Assert.Null(LibC.TryGetXattr(rootFs.HostDirectory + "/after", "user.kaniko.bin"));
    }

    [Fact]
    public async Task Fifos_and_device_nodes_are_made_or_skipped_with_a_warning()
    {
        using var work = new TempDirectory();
        var sink = new CollectingSink();
        var rootFs = new RootFs(work.Combine("root"), events: sink);

        await rootFs.ApplyTarAsync(RawTar(
            new PaxTarEntry(TarEntryType.Fifo, "pipe") { Mode = LayerEntry.DefaultFileMode },
            new PaxTarEntry(TarEntryType.CharacterDevice, "null") { Mode = LayerEntry.DefaultFileMode, DeviceMajor = 1, DeviceMinor = 3 }),
            "special", Cancellation);

        Assert.Equal(FileEntryKind.Fifo, FileStat.TryRead(rootFs.HostDirectory + "/pipe")!.Kind);
        var device = FileStat.TryRead(rootFs.HostDirectory + "/null");
        if (device is null)
        {
            Assert.Contains(sink.Warnings, w => w.Code == DiagnosticCodes.RootFsSpecialFileSkipped);
        }
        else
        {
            Assert.Equal((FileEntryKind.CharacterDevice, 1, 3), (device.Kind, device.DeviceMajor, device.DeviceMinor));
        }
    }

    [Fact]
    public async Task A_corrupt_tar_is_an_error()
    {
        using var work = new TempDirectory();
        var rootFs = new RootFs(work.Combine("root"));
        var tar = RawTar(RawFile("f", new string('x', 2000)));
        var truncated = new MemoryStream(tar.ToArray()[..700]);
        var bytes = tar.ToArray();
        bytes[148] = (byte)'9'; // breaks the header checksum

        var error = await Assert.ThrowsAnyAsync<Exception>(() => rootFs.ApplyTarAsync(new MemoryStream(bytes), "corrupt", Cancellation));

        Assert.Equal(DiagnosticCodes.LayerUnreadable, Assert.IsType<KanikoException>(error).Code);
        await Assert.ThrowsAnyAsync<Exception>(() => rootFs.ApplyTarAsync(truncated, "truncated", Cancellation));
    }

    internal sealed class CollectingSink : IBuildEventSink
    {
        private readonly List<BuildWarning> _warnings = [];

        public IReadOnlyList<BuildWarning> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public void Report(BuildEvent buildEvent)
        {
            if (buildEvent is WarningEvent warning)
            {
                lock (_warnings)
                {
                    _warnings.Add(warning.Warning);
                }
            }
        }
    }
}
