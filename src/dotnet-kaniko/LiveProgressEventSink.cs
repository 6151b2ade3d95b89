using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Spectre.Console;

namespace Kaniko.Cli;

/// <summary>
/// Draws one live bar per blob being pulled or pushed (bytes, percentage, speed) in a Spectre
/// <see cref="ProgressContext"/>, and hands every other event to the line renderer, whose lines the console prints
/// above the bars. A finished transfer leaves its bar and prints one line, so the scrollback keeps what moved.
/// </summary>
internal sealed class LiveProgressEventSink(ConsoleEventSink lines, ProgressContext progress) : IBuildEventSink
{
    private readonly Dictionary<(BlobTransferDirection, string), ProgressTask> _bars = [];
    private readonly Lock _gate = new();

    /// <summary>The Spectre progress display these bars need: description, bar, percentage, bytes, speed.</summary>
    internal static Progress Display(IAnsiConsole console) => console.Progress()
        .AutoClear(true)
        .HideCompleted(true)
        .AutoRefresh(true)
        .Columns(
            new TaskDescriptionColumn { Alignment = Justify.Left },
            new ProgressBarColumn(),
            new PercentageColumn(),
            new DownloadedColumn(),
            new TransferSpeedColumn());

    public void Report(BuildEvent buildEvent)
    {
        switch (buildEvent)
        {
            case BlobTransferStartedEvent started when lines.Verbosity >= ConsoleVerbosity.Info:
                lock (_gate)
                {
                    var key = (started.Direction, started.Digest);
                    if (_bars.TryGetValue(key, out var bar))
                    {
                        // A retry sends the blob again from its first byte.
                        bar.Value = 0;
                    }
                    else
                    {
                        _bars[key] = progress.AddTask(TransferText.Label(started.Direction, started.Digest), maxValue: Math.Max(1, started.Size));
                    }
                }

                break;
            case BlobTransferProgressEvent moved:
                lock (_gate)
                {
                    if (_bars.TryGetValue((moved.Direction, moved.Digest), out var bar))
                    {
                        bar.Value = moved.Transferred;
                    }
                }

                break;
            case BlobTransferFinishedEvent finished:
                lock (_gate)
                {
                    if (_bars.Remove((finished.Direction, finished.Digest), out var bar))
                    {
                        bar.Value = bar.MaxValue;
                        bar.StopTask();
                    }
                }

                lines.Report(finished);
                break;
            default:
                lines.Report(buildEvent);
                break;
        }
    }
}
