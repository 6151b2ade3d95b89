using System.Formats.Tar;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Layers;

public sealed class LayerWriterTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Same_entries_in_any_order_give_the_same_digests()
    {
        using var work = new TempDirectory();
        var entries = LayerTestData.CanonicalEntries();

        var first = await new LayerWriter().WriteAsync(entries, work.Combine("a"), Cancellation);
        var second = await new LayerWriter().WriteAsync(entries.Reverse(), work.Combine("b"), Cancellation);

        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.DiffId, second.DiffId);
        Assert.Equal(first.Size, second.Size);
        Assert.Equal(await File.ReadAllBytesAsync(first.FilePath, Cancellation), await File.ReadAllBytesAsync(second.FilePath, Cancellation));
        Assert.Equal(MediaType.OciLayerGzip, first.MediaType);
    }

    [Fact]
    public async Task Blob_is_named_by_its_digest_and_no_temporary_file_stays()
    {
        using var work = new TempDirectory();

        var layer = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var again = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);

        Assert.Equal(work.Combine(layer.Digest.Encoded), layer.FilePath);
        Assert.Equal(layer.FilePath, again.FilePath);
        Assert.Equal([layer.Digest.Encoded], Directory.GetFiles(work.Path).Select(Path.GetFileName));
        Assert.Equal(new FileInfo(layer.FilePath).Length, layer.Size);
    }

    [Fact]
    public async Task Entries_are_sorted_and_a_hard_link_follows_its_target()
    {
        using var work = new TempDirectory();
        LayerEntry[] entries =
        [
            LayerEntry.File("b/target", Encoding.ASCII.GetBytes("x")),
            LayerEntry.HardLink("a/link", "b/target"),
            LayerEntry.Directory("b"),
            LayerEntry.Directory("a"),
            LayerEntry.File("a-b", ReadOnlyMemory<byte>.Empty),
        ];

        var layer = await new LayerWriter().WriteAsync(entries, work.Path, Cancellation);
        var names = LayerTestData.ReadGzipLayer(layer.FilePath).Select(e => e.Name).ToList();

        Assert.Equal(["a-b", "a/", "b/", "b/target", "a/link"], names);
    }

    [Fact]
    public async Task Canonical_entries_come_out_with_their_metadata()
    {
        using var work = new TempDirectory();

        var layer = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var entries = LayerTestData.ReadGzipLayer(layer.FilePath).ToDictionary(e => e.Name);

        Assert.Equal(
            ["etc/", "etc/hostname", "home/user/notes.txt", LayerTestData.LongPath, "tmp/", "tmp/.wh..wh..opq", "usr/", "usr/bin/", "usr/bin/busybox", "usr/bin/ash", "usr/bin/sh", "var/cache/.wh.old"],
            entries.Keys);
        Assert.All(entries.Values.Where(e => e.Name != LayerTestData.LongPath), e => Assert.Equal(TarEntryFormat.Ustar, e.Format));
        Assert.Equal(TarEntryFormat.Pax, entries[LayerTestData.LongPath].Format);
        Assert.Equal(3_000_000, entries[LayerTestData.LongPath].Uid);
        Assert.All(entries.Values, e => Assert.Equal(LayerTestData.Time, e.ModificationTime));
        Assert.Equal((TarEntryType.SymbolicLink, "busybox"), (entries["usr/bin/sh"].EntryType, entries["usr/bin/sh"].LinkName));
        Assert.Equal((TarEntryType.HardLink, "usr/bin/busybox"), (entries["usr/bin/ash"].EntryType, entries["usr/bin/ash"].LinkName));
        Assert.Equal((UnixFileMode)0x3FF, entries["tmp/"].Mode);
        Assert.Equal((TarEntryType.RegularFile, 0L), (entries["var/cache/.wh.old"].EntryType, entries["var/cache/.wh.old"].Length));
        Assert.Equal(TarEntryType.RegularFile, entries["tmp/.wh..wh..opq"].EntryType);
        var notes = (PosixTarEntry)entries["home/user/notes.txt"];
        Assert.Equal((1000, 1000, "user", "users", (UnixFileMode)0x180), (notes.Uid, notes.Gid, notes.UserName, notes.GroupName, notes.Mode));
        Assert.Equal("héllo\n", new StreamReader(notes.DataStream!).ReadToEnd());
    }

    [Fact]
    public async Task Long_names_and_big_ids_are_carried_by_pax_headers()
    {
        using var work = new TempDirectory();
        var longName = string.Join('/', Enumerable.Range(0, 30).Select(i => "directory" + i)) + "/file.txt";
        const int BigId = 3_000_000; // beyond the 7 octal digits (2097151) of a ustar header

        var layer = await new LayerWriter().WriteAsync(
            [LayerEntry.File(longName, Encoding.ASCII.GetBytes("deep")) with { Uid = BigId, Gid = BigId + 1 }], work.Path, Cancellation);
        var entry = Assert.Single(LayerTestData.ReadGzipLayer(layer.FilePath));

        Assert.True(longName.Length > 255);
        Assert.Equal(longName, entry.Name);
        Assert.Equal(TarEntryFormat.Pax, entry.Format);
        Assert.Equal((BigId, BigId + 1), (entry.Uid, entry.Gid));

        var tar = ExternalTools.Find("tar");
        if (tar is not null)
        {
            // GNU tar as a second reader of the same headers.
            var listing = await ExternalTools.RunCheckedAsync(tar, ["-tvzf", layer.FilePath, "--numeric-owner"], cancellationToken: Cancellation);
            Assert.Contains("3000000/3000001", listing.StandardOutput, StringComparison.Ordinal);
            Assert.Contains(longName, listing.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Pax_header_names_do_not_carry_the_process_id()
    {
        using var work = new TempDirectory();

        var layer = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        await using var tar = await layer.OpenUncompressedAsync(Cancellation);
        using var copy = new MemoryStream();
        await tar.CopyToAsync(copy, Cancellation);
        var text = System.Text.Encoding.Latin1.GetString(copy.ToArray());

        Assert.Contains("PaxHeaders.0/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("PaxHeaders." + Environment.ProcessId, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Digests_match_what_sha256sum_and_gzip_compute()
    {
        var sha256sum = TestRequirements.Executable("sha256sum");
        var gzip = TestRequirements.Executable("gzip");
        var shell = TestRequirements.Executable("sh");
        using var work = new TempDirectory();

        var layer = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var compressed = await ExternalTools.RunCheckedAsync(sha256sum, [layer.FilePath], cancellationToken: Cancellation);
        var uncompressed = await ExternalTools.RunCheckedAsync(
            shell, ["-c", "\"$0\" -dc \"$1\" | \"$2\"", gzip, layer.FilePath, sha256sum], cancellationToken: Cancellation);

        Assert.Equal(layer.Digest.Encoded, compressed.StandardOutput.Split(' ')[0]);
        Assert.Equal(layer.DiffId.Encoded, uncompressed.StandardOutput.Split(' ')[0]);
    }

    [Fact]
    public async Task Zstd_layers_are_readable_by_zstd_and_verified_on_the_way_back()
    {
        using var work = new TempDirectory();
        var writer = new LayerWriter(new LayerWriterOptions { Compression = LayerCompression.Zstd, CompressionLevel = 10 });

        var layer = await writer.WriteAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var gzipped = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Combine("gzip"), Cancellation);
        await using var uncompressed = await layer.OpenUncompressedAsync(Cancellation);
        var names = LayerTestData.ReadTar(uncompressed).Select(e => e.Name).ToList();
        await uncompressed.CopyToAsync(Stream.Null, Cancellation);

        Assert.Equal(MediaType.OciLayerZstd, layer.MediaType);
        Assert.Equal(gzipped.DiffId, layer.DiffId);
        Assert.NotEqual(gzipped.Digest, layer.Digest);
        Assert.Equal(12, names.Count);
        Assert.True(((DigestVerifyingStream)uncompressed).IsVerified);

        var zstd = ExternalTools.Find("zstd");
        var sha256sum = ExternalTools.Find("sha256sum");
        if (zstd is not null && sha256sum is not null)
        {
            var external = await ExternalTools.RunCheckedAsync(
                "/bin/sh", ["-c", "\"$0\" -dc \"$1\" | \"$2\"", zstd, layer.FilePath, sha256sum], cancellationToken: Cancellation);
            Assert.Equal(layer.DiffId.Encoded, external.StandardOutput.Split(' ')[0]);
        }
    }

    [Theory]
    [InlineData(9, 10)]
    [InlineData(9, 8)]
    public async Task Content_of_another_length_than_declared_fails_with_3303(int actual, int declared)
    {
        using var work = new TempDirectory();
        var entry = LayerEntry.File("file", declared, _ => ValueTask.FromResult<Stream>(new MemoryStream(new byte[actual])));

        var error = await Assert.ThrowsAsync<KanikoException>(() => new LayerWriter().WriteAsync([entry], work.Path, Cancellation));

        Assert.Equal(DiagnosticCodes.LayerEntrySizeMismatch, error.Code);
        Assert.Empty(Directory.GetFiles(work.Path));
    }

    [Fact]
    public async Task Content_that_is_not_seekable_streams_through()
    {
        using var work = new TempDirectory();
        var bytes = Encoding.ASCII.GetBytes("streamed without seeking");
        var entry = LayerEntry.File("file", bytes.Length, _ => ValueTask.FromResult<Stream>(new ForwardOnlyStream(bytes)));

        var layer = await new LayerWriter().WriteAsync([entry], work.Path, Cancellation);
        var read = Assert.Single(LayerTestData.ReadGzipLayer(layer.FilePath));

        Assert.Equal(bytes, new BinaryReader(read.DataStream!).ReadBytes(100));
    }

    [Theory]
    [InlineData("a/../../etc/passwd")]
    [InlineData("/")]
    [InlineData("./.")]
    [InlineData("a\0b")]
    public void Paths_outside_or_at_the_root_fail_with_3301(string path)
    {
        var error = Assert.Throws<KanikoException>(() => LayerEntry.File(path, ReadOnlyMemory<byte>.Empty).TarName);

        Assert.Equal(DiagnosticCodes.InvalidLayerEntryPath, error.Code);
    }

    [Theory]
    [InlineData("/usr/bin/", LayerEntryType.Directory, "usr/bin/")]
    [InlineData("./a//b/./c", LayerEntryType.RegularFile, "a/b/c")]
    [InlineData("/etc/gone", LayerEntryType.Whiteout, "etc/.wh.gone")]
    [InlineData("top", LayerEntryType.Whiteout, ".wh.top")]
    [InlineData("/var/lib", LayerEntryType.OpaqueWhiteout, "var/lib/.wh..wh..opq")]
    [InlineData("/", LayerEntryType.OpaqueWhiteout, ".wh..wh..opq")]
    public void Tar_names_are_relative_and_whiteouts_take_their_prefix(string path, object type, string expected)
    {
        Assert.Equal(expected, new LayerEntry { Path = path, Type = (LayerEntryType)type }.TarName);
    }

    [Fact]
    public async Task Two_entries_with_one_name_fail_with_3302()
    {
        using var work = new TempDirectory();

        var error = await Assert.ThrowsAsync<KanikoException>(() => new LayerWriter().WriteAsync(
            [LayerEntry.File("/a/b", ReadOnlyMemory<byte>.Empty), LayerEntry.File("a//b", ReadOnlyMemory<byte>.Empty)], work.Path, Cancellation));

        Assert.Equal(DiagnosticCodes.DuplicateLayerEntry, error.Code);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, 10)]
    [InlineData(LayerCompression.Gzip, -1)]
    [InlineData(LayerCompression.Zstd, 23)]
    public void Out_of_range_levels_fail_with_3305(object compression, int level)
    {
        var error = Assert.Throws<KanikoException>(() => new LayerWriter(new LayerWriterOptions { Compression = (LayerCompression)compression, CompressionLevel = level }));

        Assert.Equal(DiagnosticCodes.InvalidCompressionLevel, error.Code);
    }

    [Fact]
    public async Task Gzip_levels_change_the_blob_but_not_the_diff_id()
    {
        using var work = new TempDirectory();
        var entries = Enumerable.Range(0, 50).Select(i => LayerEntry.File("f" + i, Encoding.ASCII.GetBytes(new string('x', 1000) + i))).ToList();

        var fast = await new LayerWriter(new LayerWriterOptions { CompressionLevel = 1 }).WriteAsync(entries, work.Combine("1"), Cancellation);
        var best = await new LayerWriter(new LayerWriterOptions { CompressionLevel = 9 }).WriteAsync(entries, work.Combine("9"), Cancellation);

        Assert.Equal(fast.DiffId, best.DiffId);
        Assert.NotEqual(fast.Digest, best.Digest);
    }

    [Fact]
    public async Task An_uncompressed_layer_is_a_plain_tar_whose_digest_is_its_diff_id()
    {
        using var work = new TempDirectory();

        var plain = await new LayerWriter().WriteUncompressedAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var compressed = await new LayerWriter().WriteAsync(LayerTestData.CanonicalEntries(), work.Combine("gzip"), Cancellation);

        Assert.Equal(MediaType.OciLayer, plain.MediaType);
        Assert.Equal(plain.DiffId, plain.Digest);
        Assert.Equal(compressed.DiffId, plain.DiffId);
        Assert.Equal(work.Combine(plain.Digest.Encoded), plain.FilePath);
        Assert.Equal(new FileInfo(plain.FilePath).Length, plain.Size);
        var file = File.OpenRead(plain.FilePath);
        await using (file)
        {
            Assert.Equal(LayerTestData.CanonicalEntries().Count, LayerTestData.ReadTar(file).Count);
        }
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, null)]
    [InlineData(LayerCompression.Gzip, 1)]
    [InlineData(LayerCompression.Gzip, 9)]
    [InlineData(LayerCompression.Zstd, null)]
    [InlineData(LayerCompression.Zstd, 19)]
    public async Task Compressing_a_plain_tar_later_gives_the_blob_written_compressed_at_once(object compression, int? level)
    {
        using var work = new TempDirectory();
        // Several megabytes of content of mixed compressibility: many deflate blocks and zstd blocks, written by the
        // tar writer in its own chunks and by the copy in others.
        var random = new Random(7);
        var noise = new byte[3 << 20];
        random.NextBytes(noise);
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => i % 97 + " ")));
        LayerEntry[] entries = [.. LayerTestData.CanonicalEntries(), LayerEntry.File("big/noise", noise), LayerEntry.File("big/text", text)];
        var writer = new LayerWriter(new LayerWriterOptions { Compression = (LayerCompression)compression, CompressionLevel = level });

        var atOnce = await writer.WriteAsync(entries, work.Combine("at-once"), Cancellation);
        var plain = await writer.WriteUncompressedAsync(entries, work.Combine("plain"), Cancellation);
        var later = await writer.CompressAsync(plain, work.Combine("later"), Cancellation);

        Assert.Equal(atOnce.Digest, later.Digest);
        Assert.Equal(atOnce.DiffId, later.DiffId);
        Assert.Equal(atOnce.Size, later.Size);
        Assert.Equal(atOnce.MediaType, later.MediaType);
        Assert.Equal(work.Combine("later", later.Digest.Encoded), later.FilePath);
    }

    [Fact]
    public async Task Compressing_a_tar_that_does_not_match_its_diff_id_fails()
    {
        using var work = new TempDirectory();
        var plain = await new LayerWriter().WriteUncompressedAsync(LayerTestData.CanonicalEntries(), work.Path, Cancellation);
        var bytes = await File.ReadAllBytesAsync(plain.FilePath, Cancellation);
        bytes[600] ^= 0xFF;
        await File.WriteAllBytesAsync(plain.FilePath, bytes, Cancellation);

        await Assert.ThrowsAnyAsync<Exception>(() => new LayerWriter().CompressAsync(plain, work.Combine("later"), Cancellation));
        Assert.Empty(Directory.Exists(work.Combine("later")) ? Directory.GetFiles(work.Combine("later")) : []);
    }
}
