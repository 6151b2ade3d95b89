using System.Buffers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// Hands what is written to <c>inner</c> in blocks of one fixed size, the last one short, whatever sizes the writes
/// come in. The runtime's deflate (zlib-ng) does not give the same bytes for the same input fed in other pieces (seen
/// at levels 1 and 6); through this stream a tar written entry by entry and the same tar copied from a file later
/// compress to one blob (<see cref="LayerWriter.CompressAsync"/>). <see cref="Flush"/> forwards nothing: a flush
/// inside a compressor would change its output too. <see cref="CompleteAsync"/> writes the last block.
/// </summary>
internal sealed class FixedBlockWriteStream(Stream inner, int blockSize) : ForwardWriteStream
{
    private byte[]? _block = ArrayPool<byte>.Shared.Rent(blockSize);
    private int _filled;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Fill(buffer)..];
            if (TakeFullBlock() is { } full)
            {
                inner.Write(full.Span);
            }
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Fill(buffer.Span)..];
            if (TakeFullBlock() is { } full)
            {
                await inner.WriteAsync(full, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Copies into the block what fits; returns how much.
    private int Fill(ReadOnlySpan<byte> buffer)
    {
        var block = _block ?? throw new ObjectDisposedException(nameof(FixedBlockWriteStream));
        var take = Math.Min(blockSize - _filled, buffer.Length);
        buffer[..take].CopyTo(block.AsSpan(_filled));
        _filled += take;
        return take;
    }

    // The block when it is full, to be written before the next Fill; null while it is not.
    private ReadOnlyMemory<byte>? TakeFullBlock()
    {
        if (_filled < blockSize)
        {
            return null;
        }

        _filled = 0;
        return _block.AsMemory(0, blockSize);
    }

    /// <summary>Writes the last, short block (if any) to the inner stream; call it once, after the last write.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        var block = _block ?? throw new ObjectDisposedException(nameof(FixedBlockWriteStream));
        if (_filled > 0)
        {
            await inner.WriteAsync(block.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
            _filled = 0;
        }
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The inner stream is left open, and what was not completed is dropped: a failed write is thrown away anyway.
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _block, null) is { } block)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        base.Dispose(disposing);
    }
}
