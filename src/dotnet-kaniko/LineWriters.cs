using System.Globalization;
using Spectre.Console;

namespace Kaniko.Cli;

/// <summary>What a line of text output is, which decides its stream and its colour.</summary>
internal enum LineKind
{
    /// <summary>A step starts (standard output).</summary>
    Step,

    /// <summary>Information (standard output).</summary>
    Message,

    /// <summary>A blob transfer started or finished (standard output).</summary>
    Transfer,

    /// <summary>The summary after a build (standard output).</summary>
    Summary,

    /// <summary>A line a <c>RUN</c> step wrote to its standard output (standard output).</summary>
    RunOutput,

    /// <summary>A line a <c>RUN</c> step wrote to its standard error (standard error, not coloured as an error).</summary>
    RunError,

    /// <summary>A warning (standard error).</summary>
    Warning,

    /// <summary>The error that stopped the command (standard error).</summary>
    Error,
}

/// <summary>Prints whole lines of the text formats; implementations are thread-safe.</summary>
internal interface ILineWriter
{
    /// <summary>Prints <paramref name="text"/> as one line of kind <paramref name="kind"/>.</summary>
    void WriteLine(LineKind kind, string text);
}

/// <summary>How text lines look: coloured or not, with the time in front or not.</summary>
/// <param name="Color">Whether lines carry ANSI colours.</param>
/// <param name="Timestamps">Whether each line starts with the UTC time (<c>--log-timestamp</c>).</param>
/// <param name="Time">The clock of the timestamps.</param>
internal sealed record TextStyle(bool Color, bool Timestamps, TimeProvider Time)
{
    /// <summary>No colour, no time: what a log file or a pipe gets by default.</summary>
    internal static readonly TextStyle Plain = new(false, false, TimeProvider.System);

    /// <summary>The timestamp prefix, or nothing.</summary>
    internal string Prefix() => Timestamps
        ? Time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z' ", CultureInfo.InvariantCulture)
        : string.Empty;

    /// <summary>The Spectre style of a kind of line (the colour scheme of both renderers).</summary>
    internal static Style StyleOf(LineKind kind) => kind switch
    {
        LineKind.Step => new Style(Spectre.Console.Color.Aqua, decoration: Decoration.Bold),
        LineKind.Transfer => new Style(Spectre.Console.Color.Grey),
        LineKind.Summary => new Style(Spectre.Console.Color.Green),
        LineKind.Warning => new Style(Spectre.Console.Color.Yellow),
        LineKind.Error => new Style(Spectre.Console.Color.Red, decoration: Decoration.Bold),
        _ => Style.Plain,
    };
}

/// <summary>Lines to two text writers (standard output and error); colours as plain ANSI SGR codes.</summary>
internal sealed class TextLineWriter(TextWriter output, TextWriter error, TextStyle style) : ILineWriter
{
    private readonly Lock _gate = new();

    public void WriteLine(LineKind kind, string text)
    {
        var writer = kind is LineKind.Warning or LineKind.Error or LineKind.RunError ? error : output;
        var line = style.Prefix() + (style.Color ? Colored(kind, text) : text);
        lock (_gate)
        {
            writer.WriteLine(line);
        }
    }

    private static string Colored(LineKind kind, string text)
    {
        var code = kind switch
        {
            LineKind.Step => "1;36",
            LineKind.Transfer => "90",
            LineKind.Summary => "32",
            LineKind.Warning => "33",
            LineKind.Error => "1;31",
            _ => null,
        };
        return code is null ? text : $"\u001b[{code}m{text}\u001b[0m";
    }
}

/// <summary>
/// Lines through a Spectre console that is drawing live progress bars: the console prints them above the bars.
/// Warnings and errors still go to standard error.
/// </summary>
internal sealed class AnsiLineWriter(IAnsiConsole console, TextWriter error, TextStyle style) : ILineWriter
{
    private readonly Lock _gate = new();

    public void WriteLine(LineKind kind, string text)
    {
        lock (_gate)
        {
            if (kind is LineKind.Warning or LineKind.Error or LineKind.RunError)
            {
                error.WriteLine(style.Prefix() + text);
                return;
            }

            console.Write(new Text(style.Prefix() + text + "\n", style.Color ? TextStyle.StyleOf(kind) : Style.Plain));
        }
    }
}
