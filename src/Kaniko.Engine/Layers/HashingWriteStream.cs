using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Layers;

/// <summary>
/// A write-only pass-through that hashes and counts every byte on its way to <c>inner</c>, so a layer's two digests
/// come out of the same single pass that writes it.
/// </summary>
internal sealed class HashingWriteStream(Stream inner, bool leaveOpen) : ForwardWriteStream
{
    private readonly DigestHasher _hasher = DigestHasher.Create();

    public long BytesWritten => _hasher.BytesHashed;

    public override long Position => BytesWritten;

    public Digest GetDigest() => _hasher.GetDigest();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hasher.Append(buffer);
        inner.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hasher.Append(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hasher.Dispose();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
