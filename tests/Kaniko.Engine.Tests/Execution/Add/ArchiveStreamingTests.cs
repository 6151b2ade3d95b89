using System.Formats.Tar;
using System.IO.Compression;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Tests.Layers;
using Kaniko.Testing;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

/// <summary>An archive far larger than any buffer is detected and extracted with bounded memory.</summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class ArchiveStreamingTests
{
    private const long FileSize = 96L * 1024 * 1024;

    [Fact]
    public async Task A_large_compressed_archive_is_extracted_with_bounded_allocations()
    {
        using var temp = new TempDirectory();
        var archive = temp.Combine("big.tar.gz");
        await using (var file = File.Create(archive))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        await using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "big.bin") { DataStream = new ZeroStream(FileSize) }, TestContext.Current.CancellationToken);
        }

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        Assert.True(ArchiveDetector.IsArchive(archive));
        var entries = await new ArchiveExtractor(temp.Combine("scratch")).ExtractAsync(archive, "/data", TestContext.Current.CancellationToken);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < FileSize / 6, $"allocated {allocated:N0} bytes to extract a {FileSize:N0}-byte file");
        Assert.Equal(FileSize, Assert.Single(entries).Size);
    }

    /// <summary>A seekable stream of zero bytes whose length is known, generated as it is read.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - Position);
            buffer[..count].Clear();
            Position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
