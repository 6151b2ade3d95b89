using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Layers;

[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

/// <summary>A layer far larger than any buffer is written with bounded memory: the writer streams, it never holds the layer.</summary>
[Collection(nameof(MemoryMeasurements))]
public sealed class LayerStreamingTests
{
    private const long FileSize = 320L * 1024 * 1024;

    // The writer itself allocates about 1.5 MB (buffers, hashers, the compressor's window). The counter is
    // process-wide, so it also sees whatever the test runner allocates meanwhile (about 20 MB seen in a full run);
    // a fifth of the content still proves the layer is never held in memory.
    private const long AllocationBudget = FileSize / 5;

    [Fact]
    public async Task A_320_MB_file_is_written_with_bounded_allocations()
    {
        using var work = new TempDirectory();
        var entries = new[]
        {
            LayerEntry.Directory("data"),
            LayerEntry.File("data/big.bin", FileSize, _ => ValueTask.FromResult<Stream>(new GeneratedStream(FileSize))),
        };
        var writer = new LayerWriter(new LayerWriterOptions { CompressionLevel = 1 });
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var layer = await writer.WriteAsync(entries, work.Path, TestContext.Current.CancellationToken);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.True(allocated < AllocationBudget, $"allocated {allocated:N0} bytes to write a {FileSize:N0}-byte file");
        await using var tar = await layer.OpenUncompressedAsync(TestContext.Current.CancellationToken);
        var uncompressed = 0L;
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await tar.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            uncompressed += read;
        }

        Assert.True(uncompressed > FileSize, "the tar holds the whole file");
    }

    /// <summary>Deterministic, poorly compressible-looking but cheap content, generated as it is read.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private long _position;
        private ulong _state = 0x9E3779B97F4A7C15;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position);
            for (var i = 0; i < count; i++)
            {
                // A cheap generator with a run of repeated bytes every 64: the compressor has work, but not much.
                if (((_position + i) & 63) == 0)
                {
                    _state ^= _state << 13;
                    _state ^= _state >> 7;
                    _state ^= _state << 17;
                }

                buffer[i] = (byte)(_state >> (int)(((_position + i) & 7) * 8));
            }

            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
