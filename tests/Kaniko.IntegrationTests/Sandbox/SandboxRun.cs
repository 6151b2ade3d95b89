using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>The outcome of one step: its exit code and every line it wrote.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Lines">The output lines in the order they arrived.</param>
internal sealed record SandboxRun(int ExitCode, IReadOnlyList<SandboxOutputLine> Lines)
{
    /// <summary>The standard output lines.</summary>
    public IReadOnlyList<string> Output =>
        Lines.Where(l => l.Stream == SandboxOutputStream.StandardOutput).Select(l => l.Text).ToArray();

    /// <summary>Everything written, for assertion messages.</summary>
    public override string ToString() => $"exit {ExitCode}: " + string.Join(" | ", Lines.Select(l => l.Text));

    /// <summary>Runs <paramref name="spec"/> in <paramref name="sandbox"/> and collects its output.</summary>
    public static async Task<SandboxRun> RunAsync(ISandbox sandbox, SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        var lines = new LineCollector();
        var exitCode = await sandbox.RunAsync(spec, lines, cancellationToken);
        return new SandboxRun(exitCode, lines.Snapshot());
    }
}

/// <summary>Collects reported lines synchronously (<see cref="Progress{T}"/> would post them later).</summary>
internal sealed class LineCollector : IProgress<SandboxOutputLine>
{
    private readonly List<SandboxOutputLine> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);

    /// <inheritdoc />
    public void Report(SandboxOutputLine value)
    {
        lock (_lines)
        {
            _lines.Add(value);
        }

        _arrived.Release();
    }

    /// <summary>The lines so far.</summary>
    public IReadOnlyList<SandboxOutputLine> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    /// <summary>Waits until a line equal to <paramref name="text"/> has arrived.</summary>
    public async Task WaitForAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!Snapshot().Any(l => l.Text == text))
        {
            await _arrived.WaitAsync(deadline.Token);
        }
    }
}
