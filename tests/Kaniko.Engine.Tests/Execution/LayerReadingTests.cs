using System.Text;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// Reading files out of layers without unpacking them: <see cref="LayerFileReader"/> (top layer first, stopping at
/// the first answer) and <see cref="ImageSnapshot"/> (every layer, bottom first), both honouring whiteouts.
/// </summary>
public sealed class LayerReadingTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-layers-");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<FileBackedLayer> LayerAsync(params LayerEntry[] entries) =>
        new LayerWriter().WriteAsync(entries, _temp.Combine("blobs"), Cancellation);

    private static LayerEntry Text(string path, string content) => LayerEntry.File(path, Encoding.UTF8.GetBytes(content));

    [Fact]
    public async Task The_top_layer_answers_and_lower_layers_are_not_opened()
    {
        var bottom = new CountingLayer(await LayerAsync(Text("etc/passwd", "old\n"), Text("etc/group", "g\n")));
        var top = new CountingLayer(await LayerAsync(Text("etc/passwd", "new\n"), Text("etc/group", "g2\n")));

        var files = await LayerFileReader.ReadAsync([bottom, top], ["/etc/passwd", "/etc/group"], Cancellation);

        Assert.Equal("new\n", Encoding.UTF8.GetString(files["/etc/passwd"]!));
        Assert.Equal("g2\n", Encoding.UTF8.GetString(files["/etc/group"]!));
        Assert.Equal((0, 1), (bottom.Opens, top.Opens));
    }

    [Fact]
    public async Task A_file_missing_above_is_found_below()
    {
        var bottom = await LayerAsync(LayerEntry.Directory("etc"), Text("etc/passwd", "root\n"));
        var top = await LayerAsync(Text("app/x", "x"));

        var files = await LayerFileReader.ReadAsync([bottom, top], ["/etc/passwd", "/etc/group"], Cancellation);

        Assert.Equal("root\n", Encoding.UTF8.GetString(files["/etc/passwd"]!));
        Assert.Null(files["/etc/group"]);
    }

    [Fact]
    public async Task Whiteouts_and_opaque_directories_hide_lower_files()
    {
        var bottom = new CountingLayer(await LayerAsync(Text("etc/passwd", "root\n"), Text("etc/group", "g\n")));
        var deleted = await LayerAsync(LayerEntry.Whiteout("etc/passwd"));
        var opaque = await LayerAsync(LayerEntry.OpaqueWhiteout("etc"), Text("etc/hosts", "h"));

        var afterWhiteout = await LayerFileReader.ReadAsync([bottom, deleted], ["/etc/passwd", "/etc/group"], Cancellation);
        var afterOpaque = await LayerFileReader.ReadAsync([bottom, opaque], ["/etc/passwd", "/etc/group"], Cancellation);

        Assert.Null(afterWhiteout["/etc/passwd"]);
        Assert.Equal("g\n", Encoding.UTF8.GetString(afterWhiteout["/etc/group"]!));
        Assert.Null(afterOpaque["/etc/passwd"]);
        Assert.Null(afterOpaque["/etc/group"]);
        Assert.Equal(1, bottom.Opens); // only for the group file under the plain whiteout
    }

    [Fact]
    public async Task A_deleted_parent_directory_hides_the_file()
    {
        var bottom = await LayerAsync(Text("etc/passwd", "root\n"));
        var top = await LayerAsync(LayerEntry.Whiteout("etc"));

        var files = await LayerFileReader.ReadAsync([bottom, top], ["/etc/passwd"], Cancellation);

        Assert.Null(files["/etc/passwd"]);
    }

    [Fact]
    public async Task A_snapshot_applies_layers_bottom_first_with_whiteouts()
    {
        var first = await LayerAsync(
            LayerEntry.Directory("app") with { Uid = 5, Gid = 6 },
            Text("app/a.txt", "a1") with { Uid = 7, Gid = 8 },
            Text("app/b.txt", "b"),
            Text("keep/c.txt", "c"),
            LayerEntry.SymbolicLink("app/link", "a.txt"));
        var second = await LayerAsync(
            Text("app/a.txt", "a2") with { Uid = 9, Gid = 9 },
            LayerEntry.Whiteout("app/b.txt"),
            LayerEntry.OpaqueWhiteout("keep"),
            Text("keep/d.txt", "d"),
            LayerEntry.HardLink("keep/e.txt", "keep/d.txt"));

        using var snapshot = await ImageSnapshot.ReadAsync("test", [first, second], _temp.Combine("snapshot"), Cancellation);

        var entries = snapshot.EnumerateEntries().ToDictionary(e => e.Path);
        Assert.Equal(["app", "app/a.txt", "app/link", "keep", "keep/d.txt", "keep/e.txt"], entries.Keys);
        Assert.Equal("a2", await ReadAsync(snapshot, "app/a.txt"));
        Assert.Equal("d", await ReadAsync(snapshot, "keep/e.txt"));
        Assert.Equal(new CopyOwner(9, 9), snapshot.OwnerOf("app/a.txt"));
        Assert.Equal(new CopyOwner(5, 6), snapshot.OwnerOf("app"));
        Assert.Equal("a.txt", entries["app/link"].LinkTarget);
        Assert.False(snapshot.FileExists("app/b.txt"));
    }

    [Fact]
    public async Task A_snapshot_unpacks_only_the_layers_whose_files_are_read()
    {
        var bottom = new CountingLayer(await LayerAsync(Text("usr/lib/big.so", "base")));
        var top = new CountingLayer(await LayerAsync(Text("app/app.dll", "app")));

        using var snapshot = await ImageSnapshot.ReadAsync("test", [bottom, top], _temp.Combine("snapshot"), Cancellation);
        Assert.True(snapshot.FileExists("usr/lib/big.so"));
        Assert.Equal("app", await ReadAsync(snapshot, "app/app.dll"));
        Assert.Equal("app", await ReadAsync(snapshot, "app/app.dll"));

        // Headers once each; then only the top layer again, once, for its content.
        Assert.Equal((1, 2), (bottom.Opens, top.Opens));
        Assert.Equal("base", await ReadAsync(snapshot, "usr/lib/big.so"));
        Assert.Equal(2, bottom.Opens);
    }

    [Fact]
    public async Task Kept_headers_give_the_tree_without_opening_the_layer_and_a_damaged_file_is_read_again()
    {
        var random = new byte[(1 << 20) + 4096];
        new Random(7).NextBytes(random);
        var written = await LayerAsync(LayerEntry.Directory("opt/tool") with { Uid = 3, Gid = 4 }, LayerEntry.File("opt/tool/blob", random),
            LayerEntry.SymbolicLink("opt/current", "tool"));
        var headers = new Kaniko.Engine.Caching.LayerHeaderCache(_temp.Combine("cache"));

        var first = await ImageSnapshot.ReadTreeAsync([new CountingLayer(written)], headers, Cancellation);
        var cachedLayer = new CountingLayer(written);
        var second = await ImageSnapshot.ReadTreeAsync([cachedLayer], headers, Cancellation);
        Assert.Equal(0, cachedLayer.Opens);
        Assert.Equal(first.Directories, second.Directories);
        Assert.Equal(first.Links, second.Links);
        Assert.Equal((UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, new CopyOwner(3, 4)), second.Directories["opt/tool"]);

        var file = headers.PathOf(written.Digest);
        var bytes = await File.ReadAllBytesAsync(file, Cancellation);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes, Cancellation);
        var afterDamage = new CountingLayer(written);
        var third = await ImageSnapshot.ReadTreeAsync([afterDamage], headers, Cancellation);
        Assert.Equal(1, afterDamage.Opens);
        Assert.Equal(first.Links, third.Links);

        using var snapshot = await ImageSnapshot.ReadAsync("test", [new CountingLayer(written)], _temp.Combine("snapshot"), headers, Cancellation);
        await using var content = snapshot.OpenRead("opt/tool/blob");
        var read = new MemoryStream();
        await content.CopyToAsync(read, Cancellation);
        Assert.Equal(random, read.ToArray());
    }

    private static async Task<string> ReadAsync(ImageSnapshot snapshot, string path)
    {
        await using var stream = snapshot.OpenRead(path);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(Cancellation);
    }

    private sealed class CountingLayer(ILayer inner) : ILayer
    {
        public int Opens { get; private set; }

        public Kaniko.Engine.Oci.Digest Digest => inner.Digest;

        public Kaniko.Engine.Oci.Digest DiffId => inner.DiffId;

        public long Size => inner.Size;

        public Kaniko.Engine.Oci.MediaType MediaType => inner.MediaType;

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenCompressedAsync(cancellationToken);
        }

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
        {
            Opens++;
            return inner.OpenUncompressedAsync(cancellationToken);
        }
    }
}
