using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Tests.Registry;

public class BlobTransferProgressTests
{
    private static readonly RepositoryName Repository = new("127.0.0.1:5000", "app");
    private static readonly Digest Blob = Digest.Parse("sha256:" + new string('c', 64));

    [Fact]
    public async Task Progress_is_throttled_and_ends_at_the_size()
    {
        var events = new RecordingSink();
        var clock = new SteppingClock();
        var transfer = new BlobTransferProgress(events, BlobTransferDirection.Push, Repository, Blob, 1000, clock);
        var open = transfer.Wrap(_ => Task.FromResult<Stream>(new MemoryStream(new byte[1000])));

        await using (var stream = await open(TestContext.Current.CancellationToken))
        {
            var buffer = new byte[10];
            // 100 reads of 10 bytes, 30 ms apart: a report every 4th read at most, not one per read.
            while (await stream.ReadAsync(buffer, TestContext.Current.CancellationToken) > 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(30));
            }
        }

        transfer.Finish();

        Assert.Equal(new BlobTransferStartedEvent(BlobTransferDirection.Push, Repository.ToString(), Blob.ToString(), 1000), events.Events[0]);
        var progress = events.Events.OfType<BlobTransferProgressEvent>().ToList();
        Assert.InRange(progress.Count, 20, 30);
        Assert.Equal(1000, progress[^1].Transferred);
        Assert.Equal(progress.Select(p => p.Transferred).Order(), progress.Select(p => p.Transferred));
        var finished = Assert.IsType<BlobTransferFinishedEvent>(events.Events[^1]);
        Assert.Equal(TimeSpan.FromMilliseconds(3000), finished.Elapsed);
    }

    [Fact]
    public async Task A_retry_starts_again_and_a_blob_never_opened_reports_nothing()
    {
        var events = new RecordingSink();
        var transfer = new BlobTransferProgress(events, BlobTransferDirection.Pull, Repository, Blob, 4, new SteppingClock());
        transfer.Finish();
        Assert.False(transfer.Started);
        Assert.Empty(events.Events);

        var open = transfer.Wrap(_ => Task.FromResult<Stream>(new MemoryStream(new byte[4])));
        (await open(TestContext.Current.CancellationToken)).Dispose();
        await using (var again = await open(TestContext.Current.CancellationToken))
        {
            await again.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);
        }

        transfer.Finish();

        Assert.True(transfer.Started);
        Assert.Equal(2, events.Events.OfType<BlobTransferStartedEvent>().Count());
        Assert.Equal(4, events.Events.OfType<BlobTransferProgressEvent>().Single().Transferred);
        Assert.Single(events.Events.OfType<BlobTransferFinishedEvent>());
    }

    [Fact]
    public async Task Nothing_is_wrapped_for_the_null_sink()
    {
        var source = new MemoryStream(new byte[4]);
        var transfer = new BlobTransferProgress(NullBuildEventSink.Instance, BlobTransferDirection.Pull, Repository, Blob, 4);

        var opened = await transfer.Wrap(_ => Task.FromResult<Stream>(source))(TestContext.Current.CancellationToken);

        Assert.Same(source, opened);
    }

    private sealed class RecordingSink : IBuildEventSink
    {
        public List<BuildEvent> Events { get; } = [];

        public void Report(BuildEvent buildEvent) => Events.Add(buildEvent);
    }

    // A monotonic clock the test moves by hand, in ticks of 100 ns.
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
