using System.Globalization;
using Kaniko.Engine.Diagnostics;

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
/// Prints build events as lines of text: each step as it starts (<c>[1/2] STEP 3/5: COPY a /b</c>), the output of
/// <c>RUN</c> steps line by line (standard error to the error stream), each blob transfer started and finished, and messages at <see cref="ConsoleVerbosity.Info"/> and above, low-importance
/// messages (each blob pushed) from <see cref="ConsoleVerbosity.Debug"/>, warnings unless the level is below
/// <see cref="ConsoleVerbosity.Warn"/>. Nothing the engine reports holds credentials.
/// </summary>
internal sealed class ConsoleEventSink(ILineWriter lines, ConsoleVerbosity verbosity) : IBuildEventSink
{
    /// <summary>Plain lines to <paramref name="output"/> and warnings to <paramref name="error"/>.</summary>
    internal ConsoleEventSink(TextWriter output, TextWriter error, ConsoleVerbosity verbosity)
        : this(new TextLineWriter(output, error, TextStyle.Plain), verbosity)
    {
    }

    /// <summary>Where the lines go.</summary>
    internal ILineWriter Lines => lines;

    /// <summary>The level lines are filtered at.</summary>
    internal ConsoleVerbosity Verbosity => verbosity;

    public void Report(BuildEvent buildEvent)
    {
        var (kind, line) = buildEvent switch
        {
            StepStartedEvent step when verbosity >= ConsoleVerbosity.Info => (LineKind.Step, step.ToString()),
            LayerCacheLookupEvent lookup when verbosity >= ConsoleVerbosity.Info => (LineKind.Message, lookup.ToString()),
            RunOutputEvent { Stream: SandboxOutputStream.StandardError } errorLine when verbosity >= ConsoleVerbosity.Info => (LineKind.RunError, errorLine.Text),
            RunOutputEvent outputLine when verbosity >= ConsoleVerbosity.Info => (LineKind.RunOutput, outputLine.Text),
            BlobTransferStartedEvent started when verbosity >= ConsoleVerbosity.Info => (LineKind.Transfer, TransferText.Started(started)),
            BlobTransferFinishedEvent finished when verbosity >= ConsoleVerbosity.Info => (LineKind.Transfer, TransferText.Finished(finished)),
            WarningEvent warning when verbosity >= ConsoleVerbosity.Warn => (LineKind.Warning, $"warning: {warning.Warning} [{warning.Warning.Code}]"),
            MessageEvent { Importance: MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Debug => (LineKind.Message, message.Text),
            MessageEvent { Importance: not MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Info => (LineKind.Message, message.Text),
            _ => (LineKind.Message, null),
        };
        if (line is not null)
        {
            lines.WriteLine(kind, line);
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
