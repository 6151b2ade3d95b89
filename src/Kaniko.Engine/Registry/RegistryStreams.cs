using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// A blob's response body that owns its response and reports a connection that drops mid-body as
/// <see cref="DiagnosticCodes.BlobTransferInterrupted"/> (naming the blob and how far it got) rather than as a bare
/// socket error.
/// </summary>
internal sealed class ResponseBodyStream(HttpResponseMessage response, Stream body, Descriptor blob, RepositoryName repository) : ForwardReadStream
{
    private long position;

    public override long Position => position;

    public override int Read(Span<byte> buffer)
    {
        try
        {
            var read = body.Read(buffer);
            position += read;
            return read;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Interrupted(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            var read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            position += read;
            return read;
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Interrupted(e);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    private RegistryException Interrupted(Exception error) => new(
        DiagnosticCodes.BlobTransferInterrupted,
        string.Format(CultureInfo.InvariantCulture, Strings.BlobTransferInterrupted, blob.Digest, repository, position, blob.Size, error.Message),
        isTransient: true,
        innerException: error);
}

/// <summary>
/// Reads at most a given number of bytes of another stream and leaves it open, so one source can feed several
/// upload requests (chunks) and a request body can never run past its declared length.
/// </summary>
internal sealed class LengthLimitedStream : ForwardReadStream
{
    private readonly Stream inner;
    private readonly long length;
    private long remaining;

    public LengthLimitedStream(Stream inner, long length)
    {
        this.inner = inner;
        this.length = length;
        remaining = length;
    }

    public override long Length => length;

    public override long Position => length - remaining;

    public override int Read(Span<byte> buffer)
    {
        if (remaining == 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, remaining)]);
        remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (remaining == 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, remaining)], cancellationToken).ConfigureAwait(false);
        remaining -= read;
        return read;
    }
}
