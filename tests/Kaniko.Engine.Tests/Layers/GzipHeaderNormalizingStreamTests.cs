using System.IO.Compression;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Tests.Layers;

public sealed class GzipHeaderNormalizingStreamTests
{
    // A gzip header as zlib writes it on Windows (OS byte 10), followed by some body bytes.
    private static readonly byte[] WindowsHeader = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x4b, 0x2c, 0x28];

    public static TheoryData<int> ChunkSizes => [1, 2, 9, 10, 11, 13];

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Only_the_os_byte_becomes_unix_however_the_writes_are_split(int chunk)
    {
        var output = new MemoryStream();
        var stream = new GzipHeaderNormalizingStream(output);
        for (var offset = 0; offset < WindowsHeader.Length; offset += chunk)
        {
            stream.Write(WindowsHeader.AsSpan(offset, Math.Min(chunk, WindowsHeader.Length - offset)));
        }

        Assert.Equal(Expected(), output.ToArray());
    }

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public async Task Asynchronous_writes_are_patched_the_same_way(int chunk)
    {
        var output = new MemoryStream();
        var stream = new GzipHeaderNormalizingStream(output);
        for (var offset = 0; offset < WindowsHeader.Length; offset += chunk)
        {
            await stream.WriteAsync(WindowsHeader.AsMemory(offset, Math.Min(chunk, WindowsHeader.Length - offset)), TestContext.Current.CancellationToken);
        }

        Assert.Equal(Expected(), output.ToArray());
    }

    [Fact]
    public void Bytes_after_the_header_are_never_changed()
    {
        var output = new MemoryStream();
        var stream = new GzipHeaderNormalizingStream(output);
        stream.Write(WindowsHeader);
        stream.Write([0x0a, 0x0a]);

        Assert.Equal([.. Expected(), 0x0a, 0x0a], output.ToArray());
    }

    [Fact]
    public void The_codec_writes_a_unix_gzip_header_that_decompresses_to_the_input()
    {
        var content = "the same layer on every platform"u8.ToArray();
        var output = new MemoryStream();
        using (var compressor = LayerCompressionCodec.Compress(output, LayerCompression.Gzip))
        {
            compressor.Write(content);
        }

        var blob = output.ToArray();
        Assert.Equal(3, blob[9]);
        using var decompressor = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
        var roundTrip = new MemoryStream();
        decompressor.CopyTo(roundTrip);
        Assert.Equal(content, roundTrip.ToArray());
    }

    private static byte[] Expected()
    {
        var expected = WindowsHeader.ToArray();
        expected[9] = 3;
        return expected;
    }
}
