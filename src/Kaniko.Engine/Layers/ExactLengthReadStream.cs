using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// Presents content whose length is known in advance as a stream that reports that length, so a tar writer can
/// put it in a header before reading it without buffering, and fails (<c>KANIKO3303</c>) when the content turns out
/// longer or shorter, for example a file that changed while the layer was written. The position only moves forward.
/// </summary>
internal sealed class ExactLengthReadStream(Stream inner, long length, string description) : ForwardReadStream
{
    private long _position;

    // A tar writer asks for Length only from seekable streams; nothing seeks backwards (Seek refuses to).
    public override bool CanSeek => true;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(Limit(buffer));
        return Account(read, buffer.Length);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(Limit(buffer), cancellationToken).ConfigureAwait(false);
        return Account(read, buffer.Length);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return target == _position ? _position : throw new NotSupportedException("the content can only be read forward");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    // Asking for one byte more than remains reveals content that grew, without handing that byte on.
    private Span<byte> Limit(Span<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, length - _position + 1)];

    private Memory<byte> Limit(Memory<byte> buffer) => buffer[..(int)Math.Min(buffer.Length, length - _position + 1)];

    private int Account(int read, int requested)
    {
        if (_position + read > length)
        {
            throw Mismatch(">" + length.ToString(CultureInfo.InvariantCulture));
        }

        _position += read;
        if (read == 0 && requested > 0 && _position != length)
        {
            throw Mismatch(_position.ToString(CultureInfo.InvariantCulture));
        }

        return read;
    }

    private KanikoException Mismatch(string actual) => new(
        DiagnosticCodes.LayerEntrySizeMismatch,
        string.Format(CultureInfo.InvariantCulture, Strings.LayerEntrySizeMismatch, description, actual, length));
}
