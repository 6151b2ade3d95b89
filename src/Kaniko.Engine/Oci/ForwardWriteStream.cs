namespace Kaniko.Engine.Oci;

/// <summary>
/// The base of the write-only pass-through streams (hashing or rewriting a layer on its way out): it refuses reading
/// and seeking, reports no length or position unless a derived stream knows them, and routes the array overloads to
/// <see cref="Write(ReadOnlySpan{byte})"/> and <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>,
/// which derived streams implement, so every kind of write goes through one code path without copying.
/// </summary>
internal abstract class ForwardWriteStream : Stream
{
    public sealed override bool CanRead => false;

    public override bool CanSeek => false;

    public sealed override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public sealed override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public abstract override void Write(ReadOnlySpan<byte> buffer);

    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public sealed override void SetLength(long value) => throw new NotSupportedException();
}
