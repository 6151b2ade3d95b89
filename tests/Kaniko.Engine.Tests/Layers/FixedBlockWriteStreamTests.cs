using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Tests.Layers;

public sealed class FixedBlockWriteStreamTests
{
    [Fact]
    public async Task Writes_of_any_size_reach_the_inner_stream_as_fixed_blocks_the_last_one_short()
    {
        var inner = new RecordingStream();
        var blocks = new FixedBlockWriteStream(inner, 4);
        await using (blocks)
        {
            blocks.Write([1, 2, 3]);
            await blocks.WriteAsync(new byte[] { 4, 5, 6, 7, 8, 9, 10 }, TestContext.Current.CancellationToken);
            blocks.WriteByte(11);
            await blocks.FlushAsync(TestContext.Current.CancellationToken);
            Assert.Equal([4, 4], inner.Writes.Select(w => w.Length));
            await blocks.CompleteAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal([4, 4, 3], inner.Writes.Select(w => w.Length));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => (byte)i), inner.Writes.SelectMany(w => w));
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<byte[]> Writes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count) => Writes.Add(buffer.AsSpan(offset, count).ToArray());

        public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.ToArray());
            return ValueTask.CompletedTask;
        }
    }
}
