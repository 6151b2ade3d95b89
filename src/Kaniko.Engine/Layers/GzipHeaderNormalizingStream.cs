using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A write-only pass-through for the output of a gzip compressor that sets the header's operating-system byte to
/// Unix (3) whatever machine writes it. zlib records the machine it runs on there (3 on Linux, 10 on Windows, 19 on
/// macOS), which alone would give the same layer another digest on each system; the rest of the stream is the same
/// on every platform. Nothing reads the byte back.
/// </summary>
internal sealed class GzipHeaderNormalizingStream(Stream inner) : ForwardWriteStream
{
    /// <summary>The offset of the OS field in a gzip member header (RFC 1952, section 2.3).</summary>
    private const int OperatingSystemOffset = 9;

    private const byte Unix = 3;

    private long _written;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Covers(buffer.Length))
        {
            inner.Write(buffer);
            _written += buffer.Length;
            return;
        }

        Span<byte> patched = stackalloc byte[OperatingSystemOffset + 1];
        var head = (int)(OperatingSystemOffset + 1 - _written);
        buffer[..head].CopyTo(patched);
        patched[head - 1] = Unix;
        inner.Write(patched[..head]);
        inner.Write(buffer[head..]);
        _written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Covers(buffer.Length))
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            _written += buffer.Length;
            return;
        }

        var head = (int)(OperatingSystemOffset + 1 - _written);
        var patched = buffer[..head].ToArray();
        patched[head - 1] = Unix;
        await inner.WriteAsync(patched, cancellationToken).ConfigureAwait(false);
        await inner.WriteAsync(buffer[head..], cancellationToken).ConfigureAwait(false);
        _written += buffer.Length;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    // Only the first member's header is patched: a layer blob is one gzip member.
    private bool Covers(int count) => _written <= OperatingSystemOffset && _written + count > OperatingSystemOffset;
}
