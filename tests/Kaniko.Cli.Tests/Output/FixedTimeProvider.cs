namespace Kaniko.Cli.Tests.Output;

/// <summary>
/// A clock for golden output: the wall time never moves, and every reading of the timestamp is
/// <see cref="Step"/> later than the one before, so an elapsed time measured between two readings is always
/// <see cref="Step"/>.
/// </summary>
internal sealed class FixedTimeProvider(DateTimeOffset now, TimeSpan step) : TimeProvider
{
    private long _ticks;

    public TimeSpan Step => step;

    public override DateTimeOffset GetUtcNow() => now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}
