using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// Reports one blob transfer to an event sink: <see cref="BlobTransferStartedEvent"/> each time its content is
/// opened, throttled <see cref="BlobTransferProgressEvent"/>s while it is read, and
/// <see cref="BlobTransferFinishedEvent"/> when the caller says it is done. Nothing is reported to a
/// <see cref="NullBuildEventSink"/>, and the stream is then not wrapped at all.
/// </summary>
internal sealed class BlobTransferProgress
{
    /// <summary>The shortest time between two progress events of one blob.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly IBuildEventSink _events;
    private readonly BlobTransferDirection _direction;
    private readonly RepositoryName _repository;
    private readonly Digest _digest;
    private readonly long _size;
    private readonly TimeProvider _time;
    private long _startedAt = -1;

    /// <summary>Prepares the reports of one blob's transfer.</summary>
    /// <param name="events">Where the events go.</param>
    /// <param name="direction">Pull or push.</param>
    /// <param name="repository">The repository the blob comes from or goes to.</param>
    /// <param name="digest">The blob's digest.</param>
    /// <param name="size">The blob's size in bytes.</param>
    /// <param name="time">The clock for throttling and the elapsed time (the system's when null).</param>
    public BlobTransferProgress(IBuildEventSink events, BlobTransferDirection direction, RepositoryName repository, Digest digest, long size, TimeProvider? time = null)
    {
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _repository = repository ?? throw new ArgumentNullException(nameof(repository));
        _direction = direction;
        _digest = digest;
        _size = size;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether the content was opened at least once (bytes were, or are being, transferred).</summary>
    public bool Started => Interlocked.Read(ref _startedAt) >= 0;

    private bool Silent => ReferenceEquals(_events, NullBuildEventSink.Instance);

    /// <summary>Wraps a content opener so that each stream it opens reports the transfer as it is read.</summary>
    public Func<CancellationToken, Task<Stream>> Wrap(Func<CancellationToken, Task<Stream>> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return async cancellationToken =>
        {
            var stream = await open(cancellationToken).ConfigureAwait(false);
            Interlocked.CompareExchange(ref _startedAt, _time.GetTimestamp(), -1);
            if (Silent)
            {
                return stream;
            }

            _events.Report(new BlobTransferStartedEvent(_direction, _repository.ToString(), _digest.ToString(), _size));
            return new CountingStream(stream, this);
        };
    }

    /// <summary>Reports the end of a transfer that <see cref="Started"/>; does nothing otherwise.</summary>
    public void Finish()
    {
        var startedAt = Interlocked.Read(ref _startedAt);
        if (startedAt < 0 || Silent)
        {
            return;
        }

        _events.Report(new BlobTransferFinishedEvent(_direction, _repository.ToString(), _digest.ToString(), _size, _time.GetElapsedTime(startedAt)));
    }

    private void Progress(long transferred) => _events.Report(new BlobTransferProgressEvent(_direction, _digest.ToString(), transferred, _size));

    // Counts what is read through it; reports when the interval has passed since the last report, and at the end.
    private sealed class CountingStream(Stream inner, BlobTransferProgress owner) : ForwardReadStream
    {
        private long _transferred;
        private long _lastReport = owner._time.GetTimestamp();
        private bool _endReported;

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private int Counted(int read)
        {
            _transferred += read;
            var now = owner._time.GetTimestamp();
            if (read == 0)
            {
                if (!_endReported)
                {
                    _endReported = true;
                    owner.Progress(_transferred);
                }
            }
            else if (owner._time.GetElapsedTime(_lastReport, now) >= Interval)
            {
                _lastReport = now;
                owner.Progress(_transferred);
            }

            return read;
        }
    }
}
