namespace Kaniko.Engine.Filesystem;

/// <summary>A directory the index walk has still to list: where it is on the host and its container path.</summary>
internal readonly record struct PendingDirectory(string Host, string Container);

/// <summary>
/// Where the workers of a <see cref="FileIndex"/> walk pass directories to each other. Each worker keeps its own
/// stack and comes here only when it runs dry (then it sleeps until work arrives) or when it sees an idle worker
/// (then it gives away part of its stack). The walk ends when no worker is listing and nothing is left to give.
/// </summary>
internal sealed class DirectoryHandOff
{
    private readonly object _gate = new();
    private readonly Stack<PendingDirectory> _shared = new();
    private int _working;
    private int _idle;
    private bool _finished;

    /// <summary>A hand-off holding the first directory to list.</summary>
    internal DirectoryHandOff(PendingDirectory first) => _shared.Push(first);

    /// <summary>Whether some worker waits for work: a hint read without the lock, so a busy worker pays nothing.</summary>
    internal bool AnyoneIdle => Volatile.Read(ref _idle) > 0;

    /// <summary>
    /// Takes a directory, sleeping until one is given; false when the walk is over: nothing left to give and no worker
    /// still listing (a worker the thread pool starts late is not waited for).
    /// </summary>
    /// <param name="wasWorking">Whether the caller took a directory before (it is now done with all it had).</param>
    /// <param name="directory">The directory to list.</param>
    internal bool TryTake(bool wasWorking, out PendingDirectory directory)
    {
        lock (_gate)
        {
            if (wasWorking)
            {
                _working--;
            }

            while (true)
            {
                if (_shared.TryPop(out directory))
                {
                    _working++;
                    return true;
                }

                if (_finished || _working == 0)
                {
                    _finished = true;
                    Monitor.PulseAll(_gate);
                    return false;
                }

                _idle++;
                Monitor.Wait(_gate);
                _idle--;
            }
        }
    }

    /// <summary>
    /// Moves the oldest half of <paramref name="own"/> (nearest the root, so the biggest subtrees) to the idle
    /// workers and wakes them.
    /// </summary>
    internal void GiveOldestHalf(List<PendingDirectory> own)
    {
        var count = own.Count / 2;
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                _shared.Push(own[i]);
            }

            Monitor.PulseAll(_gate);
        }

        own.RemoveRange(0, count);
    }

    /// <summary>Ends the walk early (a worker failed): the sleeping workers wake and stop.</summary>
    internal void Abandon()
    {
        lock (_gate)
        {
            _finished = true;
            Monitor.PulseAll(_gate);
        }
    }
}
