using Kaniko.Engine.Execution.Build;

namespace Kaniko.Engine.Tests.Execution;

public sealed class ReadAheadStreamTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gives_the_source_bytes_in_order()
    {
        var data = new byte[3_000_000];
        new Random(7).NextBytes(data);
        var readAhead = new ReadAheadStream(new MemoryStream(data));
        await using (readAhead)
        {
            using var copy = new MemoryStream();
            await readAhead.CopyToAsync(copy, 1000, Cancellation);

            Assert.Equal(data, copy.ToArray());
        }
    }

    [Fact]
    public async Task The_source_error_reaches_the_reader_and_the_drain()
    {
        var readAhead = new ReadAheadStream(new FailingStream(600_000));
        await using (readAhead)
        {
            var buffer = new byte[100];
            Assert.Equal(100, await readAhead.ReadAsync(buffer, Cancellation));

            await Assert.ThrowsAsync<InvalidDataException>(() => readAhead.DrainAsync(Cancellation));
        }
    }

    [Fact]
    public async Task Disposing_before_the_end_stops_the_worker()
    {
        var readAhead = new ReadAheadStream(new MemoryStream(new byte[20_000_000]));
        var buffer = new byte[10];
        Assert.Equal(10, await readAhead.ReadAsync(buffer, Cancellation));

        await readAhead.DisposeAsync();
    }

    /// <summary>Gives <c>length</c> zero bytes, then fails as a digest check would.</summary>
    private sealed class FailingStream(int length) : Stream
    {
        private int _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left == 0)
            {
                throw new InvalidDataException("digest mismatch");
            }

            var n = Math.Min(count, _left);
            Array.Clear(buffer, offset, n);
            _left -= n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
