using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;

namespace Kaniko.Cli;

/// <summary>kaniko's <c>--verbosity</c> levels, from the quietest.</summary>
internal enum ConsoleVerbosity
{
    Panic,
    Fatal,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// <summary>Reads <c>--verbosity</c>.</summary>
internal static class ConsoleVerbosityExtensions
{
    extension(ConsoleVerbosity)
    {
        /// <summary>The level named <paramref name="value"/> (any case); unknown names are usage errors.</summary>
        internal static ConsoleVerbosity Parse(string? value) =>
            Enum.TryParse<ConsoleVerbosity>(value ?? "info", ignoreCase: true, out var level) && !int.TryParse(value, out _)
                ? level
                : throw new KanikoException(DiagnosticCodes.InvalidRequest, $"--verbosity must be panic, fatal, error, warn, info, debug or trace, not '{value}'");
    }
}

/// <summary>
/// Prints build events: each step as it starts (<c>[1/2] STEP 3/5: COPY a /b</c>), the output of <c>RUN</c> steps
/// line by line (standard error to the error stream), and messages at
/// <see cref="ConsoleVerbosity.Info"/> and above, low-importance messages (each blob pushed) from
/// <see cref="ConsoleVerbosity.Debug"/>, warnings unless the level is below <see cref="ConsoleVerbosity.Warn"/>.
/// Nothing the engine reports holds credentials.
/// </summary>
internal sealed class ConsoleEventSink(TextWriter output, TextWriter error, ConsoleVerbosity verbosity) : IBuildEventSink
{
    private readonly Lock _gate = new();

    public void Report(BuildEvent buildEvent)
    {
        var (writer, line) = buildEvent switch
        {
            StepStartedEvent step when verbosity >= ConsoleVerbosity.Info => (output, step.ToString()),
            RunOutputEvent { Stream: SandboxOutputStream.StandardError } errorLine when verbosity >= ConsoleVerbosity.Info => (error, errorLine.Text),
            RunOutputEvent outputLine when verbosity >= ConsoleVerbosity.Info => (output, outputLine.Text),
            WarningEvent warning when verbosity >= ConsoleVerbosity.Warn => (error, $"warning: {warning.Warning} [{warning.Warning.Code}]"),
            MessageEvent { Importance: MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Debug => (output, message.Text),
            MessageEvent { Importance: not MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Info => (output, message.Text),
            _ => (null, null),
        };
        if (writer is null)
        {
            return;
        }

        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>A size for people: bytes, KiB, MiB or GiB with one decimal.</summary>
    internal static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
