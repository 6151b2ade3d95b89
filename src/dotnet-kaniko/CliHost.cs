using Spectre.Console;

namespace Kaniko.Cli;

/// <summary>
/// What the tool takes from the machine it runs on, so tests can stand in for it: environment variables, whether
/// standard output is a terminal, the clock, and the Spectre console that draws live progress.
/// </summary>
internal sealed record CliHost
{
    /// <summary>The real machine: the process's environment, console and clock.</summary>
    internal static readonly CliHost System = new();

    /// <summary>Reads an environment variable (<c>--build-arg NAME</c>, <c>SOURCE_DATE_EPOCH</c>, the CI variables).</summary>
    internal Func<string, string?> Environment { get; init; } = global::System.Environment.GetEnvironmentVariable;

    /// <summary>Whether <paramref name="output"/> is a terminal a person watches.</summary>
    internal Func<TextWriter, bool> IsTerminal { get; init; } = output => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>The clock of timestamps and elapsed times.</summary>
    internal TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The console that draws live bars over <paramref name="output"/>.</summary>
    internal Func<TextWriter, IAnsiConsole> AnsiConsole { get; init; } = output => Spectre.Console.AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Detect,
        ColorSystem = ColorSystemSupport.Detect,
        Interactive = InteractionSupport.Yes,
        Out = new AnsiConsoleOutput(output),
    });
}
