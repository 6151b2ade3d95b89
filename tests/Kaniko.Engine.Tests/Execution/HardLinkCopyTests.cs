using System.Formats.Tar;
using System.Text;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// Hard links through a copy: <see cref="LayerLinkGroups"/> (which path of a group holds the content once some are
/// written over), <see cref="ImageSnapshot.HardLinkKey"/> (links an image's layers make) and a whole
/// <c>COPY --from</c> of linked files down to the layer tar.
/// </summary>
public sealed class HardLinkCopyTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-hardlinks-");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static LayerEntry Text(string path, string content) => LayerEntry.File(path, Encoding.UTF8.GetBytes(content));

    private static ContainerPath P(string path) => ContainerPath.Parse(path);

    private static Dictionary<ContainerPath, LayerEntry> Entries(params LayerEntry[] entries) =>
        entries.ToDictionary(e => P(e.Path), e => e);

    private static string Describe(IDictionary<ContainerPath, LayerEntry> entries) => string.Join(", ", entries
        .OrderBy(e => e.Key.Value, StringComparer.Ordinal)
        .Select(e => e.Value.Type == LayerEntryType.HardLink ? $"{e.Key} => {e.Value.LinkTarget}" : $"{e.Key} {e.Value.Type} {e.Value.Size}"));

    [Fact]
    public void The_first_path_in_tar_order_holds_the_content_and_the_others_link_to_it()
    {
        var links = new LayerLinkGroups();
        var group = links.NewGroup();
        var entries = Entries(Text("/out/z", "shared"), Text("/out/b", "shared"), Text("/out/sub/a", "shared"), Text("/out/alone", "x"));
        foreach (var path in new[] { "/out/z", "/out/b", "/out/sub/a" })
        {
            links.Join(P(path), group, entries[P(path)]);
        }

        links.Resolve(entries);

        Assert.Equal("/out/alone RegularFile 1, /out/b RegularFile 6, /out/sub/a => /out/b, /out/z => /out/b", Describe(entries));
    }

    [Fact]
    public void A_path_written_over_leaves_its_group_and_the_next_one_holds_the_content()
    {
        var links = new LayerLinkGroups();
        var group = links.NewGroup();
        var first = Text("/d/a", "old");
        var entries = Entries(first, Text("/d/b", "old"), Text("/d/c", "old"));
        links.Join(P("/d/a"), group, first);
        links.Join(P("/d/b"), group, entries[P("/d/b")]);
        links.Join(P("/d/c"), group, entries[P("/d/c")]);

        links.Replaced(P("/d/a"));
        entries[P("/d/a")] = Text("/d/a", "brand new");
        links.Resolve(entries);

        Assert.Equal("/d/a RegularFile 9, /d/b RegularFile 3, /d/c => /d/b", Describe(entries));
    }

    [Fact]
    public void A_group_left_with_one_path_is_an_ordinary_file()
    {
        var links = new LayerLinkGroups();
        var group = links.NewGroup();
        var entries = Entries(Text("/a", "1"), Text("/b", "1"));
        links.Join(P("/a"), group, entries[P("/a")]);
        links.Join(P("/b"), group, entries[P("/b")]);
        links.Replaced(P("/a"));
        entries[P("/a")] = LayerEntry.Directory("/a");

        links.Resolve(entries);

        Assert.Equal("/a Directory 0, /b RegularFile 1", Describe(entries));
    }

    [Fact]
    public void Link_entries_already_made_keep_their_content_when_their_target_is_written_over()
    {
        var target = Text("/etc/tool", "binary");
        var entries = new List<LayerEntry> { target, LayerEntry.HardLink("/etc/tool2", "/etc/tool"), LayerEntry.HardLink("/etc/tool3", "/etc/tool") };
        var links = LayerLinkGroups.FromEntries(entries);
        var merged = entries.ToDictionary(e => P(e.Path), e => e);

        links.Replaced(P("/etc/tool"));
        merged[P("/etc/tool")] = Text("/etc/tool", "fetched");
        links.Resolve(merged);

        Assert.Equal("/etc/tool RegularFile 7, /etc/tool2 RegularFile 6, /etc/tool3 => /etc/tool2", Describe(merged));
    }

    [Fact]
    public async Task An_image_snapshot_tells_which_files_are_one_inode()
    {
        var bottom = await LayerAsync(LayerEntry.Directory("bin"), Text("bin/tool", "t"), LayerEntry.HardLink("bin/tool-a", "bin/tool"), Text("bin/other", "o"));
        var top = await LayerAsync(LayerEntry.HardLink("bin/tool-b", "bin/tool"), Text("bin/tool-a", "rewritten"), Text("bin/x", "x"), LayerEntry.HardLink("bin/y", "bin/x"));
        using var snapshot = await ImageSnapshot.ReadAsync("test", [bottom, top], _temp.Combine("snapshot"), Cancellation);

        Assert.NotNull(snapshot.HardLinkKey("bin/tool"));
        Assert.Equal(snapshot.HardLinkKey("bin/tool"), snapshot.HardLinkKey("bin/tool-b"));
        Assert.Null(snapshot.HardLinkKey("bin/tool-a")); // a later layer wrote it again: a file of its own
        Assert.Null(snapshot.HardLinkKey("bin/other"));
        Assert.NotNull(snapshot.HardLinkKey("bin/x"));
        Assert.Equal(snapshot.HardLinkKey("bin/x"), snapshot.HardLinkKey("bin/y"));
        Assert.NotEqual(snapshot.HardLinkKey("bin/x"), snapshot.HardLinkKey("bin/tool"));
    }

    [Fact]
    public async Task A_whited_out_link_leaves_its_partner_alone()
    {
        var bottom = await LayerAsync(Text("a", "1"), LayerEntry.HardLink("b", "a"));
        var top = await LayerAsync(LayerEntry.Whiteout("a"));
        using var snapshot = await ImageSnapshot.ReadAsync("test", [bottom, top], _temp.Combine("snapshot"), Cancellation);

        Assert.Null(snapshot.HardLinkKey("b"));
    }

    [Fact]
    public async Task Copy_from_an_image_writes_the_later_links_as_hard_link_entries()
    {
        var layer = await LayerAsync(
            LayerEntry.Directory("out"), Text("out/r", "result"), LayerEntry.HardLink("out/r-link", "out/r"), LayerEntry.HardLink("out/zz", "out/r"),
            Text("out/plain", "p"), Text("lone", "l"), LayerEntry.HardLink("lone-link", "lone"));
        using var snapshot = await ImageSnapshot.ReadAsync("test", [layer], _temp.Combine("snapshot"), Cancellation);
        var tree = BuildContextTree.Load(snapshot);

        // One source: the three names stay one file. Two sources: BuildKit runs one copier each, so no link.
        var whole = await CopyTarAsync(tree, snapshot, new CopyRequest { SourcePaths = ["/out"], Destination = "/copied/" });
        var apart = await CopyTarAsync(tree, snapshot, new CopyRequest { SourcePaths = ["/lone", "/lone-link"], Destination = "/apart/" });

        Assert.Equal(
            ["copied/plain RegularFile p", "copied/r RegularFile result", "copied/r-link HardLink copied/r", "copied/zz HardLink copied/r"],
            whole);
        Assert.Equal(["apart/lone RegularFile l", "apart/lone-link RegularFile l"], apart);
    }

    private async Task<FileBackedLayer> LayerAsync(params LayerEntry[] entries) =>
        await new LayerWriter().WriteAsync(entries, _temp.Combine("blobs"), Cancellation);

    private async Task<List<string>> CopyTarAsync(BuildContextTree tree, ImageSnapshot snapshot, CopyRequest request)
    {
        var plan = CopyPlanner.Plan(tree, request);
        var entries = await CopyLayerEntries.CreateAsync(
            plan, snapshot, StageFilesystem.Empty(), DateTimeOffset.UnixEpoch, null, new ArchiveExtractor(_temp.Combine("archives")), Cancellation);
        var layer = await LayerAsync([.. entries]);
        var stream = await layer.OpenUncompressedAsync(Cancellation);
        await using var _ = stream;
        var reader = new TarReader(stream);
        var found = new List<string>();
        while (await reader.GetNextEntryAsync(copyData: false, Cancellation) is { } entry)
        {
            if (entry.EntryType == TarEntryType.Directory)
            {
                continue;
            }

            var detail = entry.EntryType == TarEntryType.HardLink ? entry.LinkName
                : entry.DataStream is { } data ? await new StreamReader(data).ReadToEndAsync(Cancellation) : "";
            found.Add($"{entry.Name} {entry.EntryType} {detail}".TrimEnd());
        }

        return found;
    }
}
