using System.IO.Compression;
using System.Text;
using Kaniko.Engine.Fetching;
using Kaniko.Testing;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

public sealed class ArchiveDetectorTests
{
    public static TheoryData<string, object> MagicCases => new()
    {
        { "1f8b08000000", ArchiveCompression.Gzip },
        { "425a68390000", ArchiveCompression.Bzip2 },
        { "fd377a585a00", ArchiveCompression.Xz },
        { "28b52ffd0000", ArchiveCompression.Zstd },
        { "502a4d180000", ArchiveCompression.Zstd },
        { "5f2a4d180000", ArchiveCompression.Zstd },
        { "1f8b09000000", ArchiveCompression.None },
        { "425a00000000", ArchiveCompression.None },
        { "504b03040000", ArchiveCompression.None },
        { "", ArchiveCompression.None },
    };

    [Theory]
    [MemberData(nameof(MagicCases))]
    public void Compression_is_read_from_the_first_bytes(string hex, object expected) =>
        Assert.Equal((ArchiveCompression)expected, ArchiveDetector.DetectCompression(Convert.FromHexString(hex)));

    public static TheoryData<string, bool> ContentCases => new()
    {
        { "tar", true },
        { "tar.gz", true },
        { "tar.zst", true },
        { "empty", false },
        { "text", false },
        { "gzip-of-text", false },
        { "truncated-gzip", false },
        { "zero-blocks", false },
        { "bad-checksum", false },
        { "short", false },
    };

    [Theory]
    [MemberData(nameof(ContentCases))]
    public void Archives_are_recognised_by_content(string kind, bool expected)
    {
        var tar = new TarBuilder().File("a.txt", "hello").ToTar();
        var bytes = kind switch
        {
            "tar" => tar,
            "tar.gz" => new TarBuilder().File("a.txt", "hello").ToTarGz(),
            "tar.zst" => new TarBuilder().File("a.txt", "hello").ToTarZst(),
            "empty" => [],
            "text" => Encoding.UTF8.GetBytes(new string('x', 2000)),
            "gzip-of-text" => Gzip(Encoding.UTF8.GetBytes(new string('y', 2000))),
            "truncated-gzip" => new TarBuilder().File("a.txt", "hello").ToTarGz()[..12],
            "zero-blocks" => new byte[1024],
            "bad-checksum" => Corrupt(tar),
            "short" => tar[..300],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        Assert.Equal(expected, ArchiveDetector.IsArchive(new MemoryStream(bytes)));
    }

    [Fact]
    public void A_v7_header_without_magic_is_an_archive_when_its_checksum_is_valid()
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes("file.txt").CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 124);
        Encoding.ASCII.GetBytes("00000000000\0").CopyTo(header, 136);
        header[156] = (byte)'0';
        var sum = header.Select((b, i) => i is >= 148 and < 156 ? 32 : b).Sum();
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);

        Assert.True(ArchiveDetector.IsTarHeader(header));
        header[0] = (byte)'g';
        Assert.False(ArchiveDetector.IsTarHeader(header));
    }

    public static TheoryData<string> Tools => new() { "none", "gzip", "bzip2", "xz", "zstd" };

    [Theory]
    [MemberData(nameof(Tools))]
    public async Task Archives_made_by_the_system_tools_are_recognised_and_extracted(string compressor)
    {
        var tar = TestRequirements.Executable("tar");
        using var temp = new TempDirectory();
        var source = Directory.CreateDirectory(temp.Combine("src")).FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "hello.txt"), "hello from " + compressor, TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        await File.WriteAllTextAsync(Path.Combine(source, "sub", "inner.txt"), "inner", TestContext.Current.CancellationToken);
        var archive = temp.Combine("archive.tar");
        await ExternalTools.RunCheckedAsync(tar, ["-cf", archive, "-C", source, "."], cancellationToken: TestContext.Current.CancellationToken);
        if (compressor != "none")
        {
            var tool = TestRequirements.Executable(compressor);
            string[] arguments = compressor == "zstd" ? ["-q", "--rm", archive] : ["-q", archive];
            await ExternalTools.RunCheckedAsync(tool, arguments, cancellationToken: TestContext.Current.CancellationToken);
            archive = Directory.GetFiles(temp.Path, "archive.tar*").Single();
        }

        // The name says nothing: detection is by content.
        var renamed = temp.Combine("data.bin");
        File.Move(archive, renamed);
        Assert.True(ArchiveDetector.IsArchive(renamed));

        var entries = await new ArchiveExtractor(temp.Combine("scratch")).ExtractAsync(renamed, "/opt", TestContext.Current.CancellationToken);
        var hello = Assert.Single(entries, e => e.Path == "opt/hello.txt");
        await using var content = await hello.OpenContent!(TestContext.Current.CancellationToken);
        Assert.Equal("hello from " + compressor, await new StreamReader(content).ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Contains(entries, e => e.Path == "opt/sub/inner.txt");
        Assert.Contains(entries, e => e.Path == "opt/sub" && e.Type == Kaniko.Engine.Layers.LayerEntryType.Directory);
    }

    [Fact]
    public void A_plain_file_and_a_symbolic_link_are_not_archives()
    {
        using var temp = new TempDirectory();
        var plain = temp.Combine("plain.tar.gz");
        File.WriteAllText(plain, "not really an archive");
        Assert.False(ArchiveDetector.IsArchive(plain));

        var real = temp.Combine("real.tar");
        File.WriteAllBytes(real, new TarBuilder().File("a", "b").ToTar());
        var link = temp.Combine("link.tar");
        File.CreateSymbolicLink(link, real);
        Assert.True(ArchiveDetector.IsArchive(real));
        Assert.False(ArchiveDetector.IsArchive(link));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    private static byte[] Corrupt(byte[] tar)
    {
        var copy = tar.ToArray();
        copy[148] = (byte)'7';
        copy[149] = (byte)'7';
        return copy;
    }
}
