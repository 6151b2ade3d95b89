using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A read-through stream that follows a tar's block structure as the bytes pass (entry headers, PAX extended headers
/// and their data, file data), so a derived stream can look at, or rewrite in place, what .NET's
/// <see cref="System.Formats.Tar.TarReader"/> would otherwise be the only one to see. Data blocks pass untouched.
/// </summary>
internal abstract class TarBlockStream(Stream inner, bool leaveOpen) : ForwardReadStream
{
    private const int BlockSize = 512;

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _skip;
    private long _extendedRemaining;
    private long _extendedPadding;
    private long? _nextEntrySize;

    /// <inheritdoc />
    public sealed override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Walk(buffer[..read]);
        return read;
    }

    /// <inheritdoc />
    public sealed override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Walk(buffer.Span[..read]);
        return read;
    }

    /// <summary>
    /// An extended header starts: <paramref name="type"/> <c>x</c> (the next entry's) or <c>g</c> (global), with
    /// <paramref name="size"/> bytes of records; returns whether its data is wanted (else it passes unseen).
    /// </summary>
    protected abstract bool BeginExtendedHeader(char type, long size);

    /// <summary>The next piece of the wanted extended header's records, in order; it may be changed in place (same length).</summary>
    protected abstract void OnExtendedHeaderData(Span<byte> data);

    /// <summary>The wanted extended header's records have all passed.</summary>
    protected virtual void EndExtendedHeader()
    {
    }

    /// <summary>An entry's own header has passed (the reader is about to return that entry).</summary>
    protected virtual void OnEntryHeader()
    {
    }

    /// <summary>A PAX <c>size</c> record overrides the next entry's size field (files of 8 GiB and more): its data is that long.</summary>
    protected void SetNextEntrySize(long size) => _nextEntrySize = size;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Walk(Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_extendedRemaining > 0)
            {
                var take = (int)Math.Min(_extendedRemaining, data.Length);
                OnExtendedHeaderData(data[..take]);
                _extendedRemaining -= take;
                data = data[take..];
                if (_extendedRemaining == 0)
                {
                    _skip = _extendedPadding;
                    EndExtendedHeader();
                }

                continue;
            }

            if (_skip > 0)
            {
                var take = (int)Math.Min(_skip, data.Length);
                _skip -= take;
                data = data[take..];
                continue;
            }

            var copy = Math.Min(BlockSize - _headerFill, data.Length);
            data[..copy].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += copy;
            data = data[copy..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    private void OnHeader()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
        {
            return;
        }

        var type = (char)_header[156];
        var size = TarNumericField.Parse(_header.AsSpan(124, 12));
        var padded = Padded(size);
        switch (type)
        {
            case 'x' or 'g' when size > 0 && BeginExtendedHeader(type, size):
                _extendedRemaining = size;
                _extendedPadding = padded - size;
                break;
            case 'x' or 'g' or 'L' or 'K':
                // Unwanted extended headers and GNU long names: their data is skipped unseen.
                _skip = padded;
                break;
            default:
                var dataSize = _nextEntrySize ?? size;
                _nextEntrySize = null;
                // Links, directories, devices and FIFOs carry no data, whatever their size field says.
                _skip = type is '1' or '2' or '3' or '4' or '5' or '6' ? 0 : Padded(dataSize);
                OnEntryHeader();
                break;
        }
    }

    private static long Padded(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;
}
