using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Testing;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

public sealed class ArchiveExtractorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Entries_keep_modes_owners_times_and_links()
    {
        var archive = new TarBuilder()
            .Directory("app/", (UnixFileMode)0x1C0, uid: 1000, gid: 1001)
            .File("app/run.sh", "#!/bin/sh\n", (UnixFileMode)0x9ED, uid: 1000, gid: 1001)
            .File("app/data.txt", "data", (UnixFileMode)0x180, uid: 33, gid: 33)
            .SymbolicLink("app/latest", "data.txt")
            .SymbolicLink("app/abs", "/etc/passwd")
            .HardLink("app/copy.txt", "app/data.txt", (UnixFileMode)0x180, uid: 33, gid: 33)
            .ToTarGz();

        var entries = await ExtractAsync(archive, "/srv/");

        var directory = Single(entries, "srv/app");
        Assert.Equal((LayerEntryType.Directory, (UnixFileMode)0x1C0, 1000, 1001), (directory.Type, directory.Mode, directory.Uid, directory.Gid));
        var script = Single(entries, "srv/app/run.sh");
        Assert.Equal(LayerEntryType.RegularFile, script.Type);
        Assert.Equal((UnixFileMode)0x9ED, script.Mode);
        Assert.Equal(TarBuilder.Time, script.ModificationTime);
        Assert.Equal("#!/bin/sh\n", await ReadAsync(script));
        var data = Single(entries, "srv/app/data.txt");
        Assert.Equal(((UnixFileMode)0x180, 33, 33, 4L), (data.Mode, data.Uid, data.Gid, data.Size));
        Assert.Equal("data.txt", Single(entries, "srv/app/latest").LinkTarget);
        Assert.Equal("/etc/passwd", Single(entries, "srv/app/abs").LinkTarget);
        var link = Single(entries, "srv/app/copy.txt");
        Assert.Equal((LayerEntryType.HardLink, "srv/app/data.txt"), (link.Type, link.LinkTarget));
        Assert.Equal(6, entries.Count);
    }

    [Fact]
    public async Task The_last_header_of_a_linked_file_sets_its_metadata_for_every_name()
    {
        var later = TarBuilder.Time.AddDays(1);
        var archive = new TarBuilder()
            .File("a", "shared", (UnixFileMode)0x1A0, uid: 5, gid: 6)
            .HardLink("b", "a", (UnixFileMode)0x1ED, uid: 7, gid: 8)
            .HardLink("c", "b", (UnixFileMode)0x1C0, uid: 9, gid: 10, time: later)
            .ToTar();

        var entries = await ExtractAsync(archive, "/d/");

        Assert.All(["d/a", "d/b", "d/c"], name =>
        {
            var entry = Single(entries, name);
            Assert.Equal(((UnixFileMode)0x1C0, 9, 10, later), (entry.Mode, entry.Uid, entry.Gid, entry.ModificationTime));
        });
        Assert.Equal((LayerEntryType.HardLink, "d/a"), (Single(entries, "d/c").Type, Single(entries, "d/c").LinkTarget));
    }

    [Fact]
    public async Task Extracted_entries_write_a_layer()
    {
        var archive = new TarBuilder().Directory("d/").File("d/f", "x").HardLink("d/g", "d/f").SymbolicLink("d/s", "f").ToTar();
        var entries = await ExtractAsync(archive, "/");

        var layer = await new LayerWriter().WriteAsync(entries, _temp.Combine("layers"), TestContext.Current.CancellationToken);

        Assert.True(layer.Size > 0);
    }

    [Fact]
    public async Task Later_entries_replace_earlier_ones_and_directories_merge()
    {
        var archive = new TarBuilder()
            .Directory("a/", (UnixFileMode)0x1ED)
            .File("a/keep", "1")
            .Directory("a/", (UnixFileMode)0x1C0)
            .File("b/child", "gone")
            .File("b", "now a file")
            .File("c", "old")
            .File("c", "new")
            .ToTar();

        var entries = await ExtractAsync(archive, "/x");

        Assert.Equal((UnixFileMode)0x1C0, Single(entries, "x/a").Mode);
        Assert.Contains(entries, e => e.Path == "x/a/keep");
        Assert.DoesNotContain(entries, e => e.Path == "x/b/child");
        Assert.Equal("now a file", await ReadAsync(Single(entries, "x/b")));
        Assert.Equal("new", await ReadAsync(Single(entries, "x/c")));
    }

    [Fact]
    public async Task Whiteout_names_and_the_root_entry_are_handled_as_docker_untar_does()
    {
        var archive = new TarBuilder().Directory("./").File(".wh.gone", "").File("dir/.wh..wh..opq", "").ToTar();

        var entries = await ExtractAsync(archive, "/d");

        Assert.Equal(["d/.wh.gone", "d/dir/.wh..wh..opq"], entries.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.All(entries, e => Assert.Equal(LayerEntryType.RegularFile, e.Type));
    }

    public static TheoryData<string, string> ContainedNames => new()
    {
        { "../../etc/passwd", "dest/etc/passwd" },
        { "/etc/x", "dest/etc/x" },
        { "./a/../../../b", "dest/b" },
        { "a/./b//c", "dest/a/b/c" },
    };

    [Theory]
    [MemberData(nameof(ContainedNames))]
    public async Task Hostile_names_stay_inside_the_destination(string name, string expected)
    {
        var entries = await ExtractAsync(new TarBuilder().File(name, "pwned").ToTar(), "/dest");

        Assert.Equal(expected, Assert.Single(entries).Path);
    }

    [Fact]
    public async Task A_file_through_a_symbolic_link_to_the_root_lands_in_the_destination()
    {
        var archive = new TarBuilder()
            .SymbolicLink("root", "/")
            .File("root/etc/shadow", "pwned")
            .SymbolicLink("up", "../../../..")
            .File("up/tmp/x", "pwned")
            .SymbolicLink("sub/link", "../other")
            .File("sub/link/y", "ok")
            .ToTar();

        var entries = await ExtractAsync(archive, "/dest");

        var paths = entries.Select(e => e.Path).ToHashSet();
        Assert.Contains("dest/etc/shadow", paths);
        Assert.Contains("dest/tmp/x", paths);
        Assert.Contains("dest/other/y", paths);
        Assert.All(entries, e => Assert.StartsWith("dest/", e.Path, StringComparison.Ordinal));
        Assert.Equal("/", Single(entries, "dest/root").LinkTarget);
    }

    [Fact]
    public async Task A_hard_link_outside_resolves_inside_or_is_rejected()
    {
        var inside = await ExtractAsync(new TarBuilder().File("etc/passwd", "mine").HardLink("link", "../../etc/passwd").ToTar(), "/dest");
        Assert.Equal("dest/etc/passwd", Single(inside, "dest/link").LinkTarget);

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            ExtractAsync(new TarBuilder().HardLink("link", "/etc/passwd").ToTar(), "/dest", "evil.tar"));
        Assert.Equal(DiagnosticCodes.ArchiveHardLinkInvalid, error.Code);
        Assert.Contains("evil.tar", error.Message, StringComparison.Ordinal);
        Assert.Contains("'link'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsupported_and_inconsistent_entries_are_rejected_with_the_archive_name()
    {
        var fifo = await Assert.ThrowsAsync<KanikoException>(() => ExtractAsync(new TarBuilder().Fifo("pipe").ToTar(), "/", "fifo.tar"));
        Assert.Equal(DiagnosticCodes.ArchiveEntryUnsupported, fifo.Code);
        Assert.Contains("fifo.tar", fifo.Message, StringComparison.Ordinal);

        var parent = await Assert.ThrowsAsync<KanikoException>(() =>
            ExtractAsync(new TarBuilder().File("f", "x").File("f/g", "y").ToTar(), "/", "bad.tar"));
        Assert.Equal(DiagnosticCodes.ArchiveEntryParentNotDirectory, parent.Code);

        var loop = await Assert.ThrowsAsync<KanikoException>(() =>
            ExtractAsync(new TarBuilder().SymbolicLink("a", "b").SymbolicLink("b", "a").File("a/x", "y").ToTar(), "/", "loop.tar"));
        Assert.Equal(DiagnosticCodes.ArchiveSymlinkLoop, loop.Code);

        var truncated = new TarBuilder().File("big", new string('z', 5000)).ToTar()[..1500];
        var unreadable = await Assert.ThrowsAsync<KanikoException>(() => ExtractAsync(truncated, "/", "cut.tar"));
        Assert.Equal(DiagnosticCodes.ArchiveUnreadable, unreadable.Code);
    }

    [Fact]
    public async Task Nothing_is_written_outside_the_scratch_directory()
    {
        var scratch = _temp.Combine("scratch");
        var archive = new TarBuilder().SymbolicLink("l", "/").File("l/escape", "x").File("../../escape2", "y").ToTar();

        await ExtractAsync(archive, "/", scratchDirectory: scratch);

        Assert.Equal([scratch], Directory.GetFileSystemEntries(_temp.Path));
        Assert.All(Directory.GetFileSystemEntries(scratch, "*", SearchOption.AllDirectories), f => Assert.StartsWith(scratch, f, StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(scratch, "*", SearchOption.AllDirectories).Length);
    }

    private async Task<IReadOnlyList<LayerEntry>> ExtractAsync(byte[] archive, string destination, string name = "test.tar", string? scratchDirectory = null) =>
        await new ArchiveExtractor(scratchDirectory ?? _temp.Combine("scratch"))
            .ExtractAsync(new MemoryStream(archive), name, destination, TestContext.Current.CancellationToken);

    private static LayerEntry Single(IReadOnlyList<LayerEntry> entries, string path) => Assert.Single(entries, e => e.Path == path);

    private static async Task<string> ReadAsync(LayerEntry entry)
    {
        await using var stream = await entry.OpenContent!(TestContext.Current.CancellationToken);
        return await new StreamReader(stream).ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
