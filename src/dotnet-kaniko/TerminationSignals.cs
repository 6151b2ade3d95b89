using System.Runtime.InteropServices;

namespace Kaniko.Cli;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM (what Kubernetes and CI runners send) into a cancelled build: the first one
/// cancels <see cref="Token"/>, so the build stops its steps and removes its work folders on the way out; a second one
/// is left to the system's default action, which ends the process at once (a cleanup that hangs can be cut short).
/// </summary>
/// <remarks>
/// System.CommandLine's own handling is turned off (<c>ProcessTerminationTimeout = null</c>): it ends the process
/// two seconds after the first signal, whatever the cleanup still has to do.
/// </remarks>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly TextWriter _error;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _received;

    private TerminationSignals(TextWriter error)
    {
        _error = error;
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The first signal received, or null.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The exit code of a build ended by <see cref="Received"/>: 128 + the signal's number, as shells report it.</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>Starts listening; <paramref name="error"/> is told when a signal cancels the build.</summary>
    public static TerminationSignals Listen(TextWriter error)
    {
        var signals = new TerminationSignals(error);
        if (!OperatingSystem.IsWindows() && !OperatingSystem.IsBrowser())
        {
            signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.OnSignal));
            signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, signals.OnSignal));
        }
        else
        {
            // Windows has no SIGTERM; Ctrl+C arrives as SIGINT here too.
            signals._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, signals.OnSignal));
        }

        return signals;
    }

    public void Dispose()
    {
        _registrations.ForEach(r => r.Dispose());
        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _received) > 1)
        {
            // The second signal: the default action ends the process now.
            context.Cancel = false;
            return;
        }

        context.Cancel = true;
        Received = context.Signal;
        _error.WriteLine($"{SignalName(context.Signal)} received: cancelling the build and removing its work folders (send it again to stop at once)");
        _cancel.Cancel();
    }

    private static string SignalName(PosixSignal signal) => signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";
}
