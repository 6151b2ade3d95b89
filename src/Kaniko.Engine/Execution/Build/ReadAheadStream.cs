using System.Buffers;
using System.Threading.Channels;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Reads a stream ahead on a worker of its own, a few chunks at most, so that producing the bytes (decompressing a
/// layer, verifying its digest) and consuming them (creating the files of the layer) use two processors instead of
/// one. Read-only and forward-only; an error of the source is thrown by the read that reaches it.
/// </summary>
internal sealed class ReadAheadStream : Stream
{
    private const int ChunkSize = 256 * 1024;
    private const int Depth = 16;

    private readonly Channel<(byte[] Buffer, int Length)> _chunks =
        Channel.CreateBounded<(byte[] Buffer, int Length)>(new BoundedChannelOptions(Depth) { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private byte[]? _current;
    private int _offset;
    private int _length;

    /// <summary>Starts reading <paramref name="source"/> ahead; it is disposed with this stream.</summary>
    public ReadAheadStream(Stream source)
    {
        _producer = Task.Run(() => ProduceAsync(source, _stop.Token));
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_current is null || _offset == _length)
        {
            Return();
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // Completed: with the source's error, if it failed.
                await _producer.ConfigureAwait(false);
                return 0;
            }

            if (_chunks.Reader.TryRead(out var chunk))
            {
                (_current, _offset, _length) = (chunk.Buffer, 0, chunk.Length);
            }
        }

        var count = Math.Min(buffer.Length, _length - _offset);
        _current.AsSpan(_offset, count).CopyTo(buffer.Span);
        _offset += count;
        return count;
    }

    /// <summary>Reads what the consumer left to the end, so the source verifies its digest, and throws its error if any.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = new byte[ChunkSize];
        while (await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Return();
        while (_chunks.Reader.TryRead(out var chunk))
        {
            ArrayPool<byte>.Shared.Return(chunk.Buffer);
        }

        _stop.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_producer.IsCompleted)
        {
            _stop.Cancel();
        }

        base.Dispose(disposing);
    }

    private void Return()
    {
        if (_current is not null)
        {
            ArrayPool<byte>.Shared.Return(_current);
            _current = null;
        }
    }

    private async Task ProduceAsync(Stream source, CancellationToken cancellationToken)
    {
        await using (source.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
                    var read = await source.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        break;
                    }

                    await _chunks.Writer.WriteAsync((buffer, read), cancellationToken).ConfigureAwait(false);
                }

                _chunks.Writer.Complete();
            }
            catch (Exception e)
            {
                _chunks.Writer.Complete(e);
                throw;
            }
        }
    }
}
