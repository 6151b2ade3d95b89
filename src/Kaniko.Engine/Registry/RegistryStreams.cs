using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// A blob's response body that owns its response and reports a connection that drops mid-body, or sends nothing for
/// the stall timeout, as <see cref="DiagnosticCodes.BlobTransferInterrupted"/> (naming the blob and how far it got)
/// rather than as a bare socket error or a hang.
/// </summary>
internal sealed class ResponseBodyStream(HttpResponseMessage response, Stream body, Descriptor blob, RepositoryName repository, TimeSpan stallTimeout) : ForwardReadStream
{
    private long _position;

    public override long Position => _position;

    // A synchronous read cannot be given a deadline by the HTTP stack: it goes through the asynchronous one.
    public override int Read(Span<byte> buffer)
    {
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = ReadAsync(rented.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(stallTimeout);
        try
        {
            var read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            _position += read;
            return read;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Interrupted(new TimeoutException(string.Format(CultureInfo.InvariantCulture, Strings.TransferStalled, stallTimeout.TotalSeconds), e));
        }
        catch (Exception e) when (e is IOException or HttpRequestException or System.Net.Sockets.SocketException)
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
        string.Format(CultureInfo.InvariantCulture, Strings.BlobTransferInterrupted, blob.Digest, repository, _position, blob.Size, error.Message),
        isTransient: true,
        innerException: error);
}

/// <summary>
/// Watches one transfer for progress: its <see cref="Token"/> is cancelled when no byte moved for the stall timeout
/// (or when the caller cancels). Each read of a stream given to <see cref="Watch"/> counts as progress.
/// </summary>
internal sealed class TransferWatchdog : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _outer;
    private readonly TimeSpan _timeout;

    public TransferWatchdog(TimeSpan timeout, CancellationToken outer)
    {
        _timeout = timeout;
        _outer = outer;
        _source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _source.CancelAfter(timeout);
    }

    public CancellationToken Token => _source.Token;

    /// <summary>True when the token was cancelled by the watchdog, not by the caller.</summary>
    public bool Stalled => _source.IsCancellationRequested && !_outer.IsCancellationRequested;

    /// <summary>A byte moved: the stall timeout starts again.</summary>
    public void Progress()
    {
        try
        {
            _source.CancelAfter(_timeout);
        }
        catch (ObjectDisposedException)
        {
            // A read after the attempt ended (the handler draining its content): nothing left to watch.
        }
    }

    /// <summary><paramref name="inner"/>, with each read counted as progress.</summary>
    public Stream Watch(Stream inner) => new WatchedStream(inner, this);

    public void Dispose() => _source.Dispose();

    private sealed class WatchedStream(Stream inner, TransferWatchdog watchdog) : ForwardReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            watchdog.Progress();
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            watchdog.Progress();
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// Reads at most a given number of bytes of another stream and leaves it open, so one source can feed several
/// upload requests (chunks) and a request body can never run past its declared length.
/// </summary>
internal sealed class LengthLimitedStream : ForwardReadStream
{
    private readonly Stream _inner;
    private readonly long _length;
    private long _remaining;

    public LengthLimitedStream(Stream inner, long length)
    {
        _inner = inner;
        _length = length;
        _remaining = length;
    }

    public override long Length => _length;

    public override long Position => _length - _remaining;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        var read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0)
        {
            return 0;
        }

        var read = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= read;
        return read;
    }
}
