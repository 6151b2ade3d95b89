using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli;

/// <summary>docker's <c>--progress</c> values: how transfers are shown.</summary>
internal enum ProgressMode
{
    /// <summary>Live bars on a terminal outside CI, plain lines otherwise.</summary>
    Auto,

    /// <summary>Live bars (needs a terminal that takes ANSI cursor movement).</summary>
    Tty,

    /// <summary>One line per transfer started and finished, no ANSI codes.</summary>
    Plain,
}

/// <summary>kaniko's <c>--log-format</c> values.</summary>
internal enum LogFormat
{
    /// <summary>Lines of text without ANSI codes.</summary>
    Text,

    /// <summary>Lines of text, step headers, warnings and errors coloured.</summary>
    Color,

    /// <summary>One JSON object per line on standard error; nothing but what was asked for on standard output.</summary>
    Json,
}

/// <summary>How one run of the tool prints: the format of its lines, live bars or not, timestamps or not.</summary>
/// <param name="Format">The line format.</param>
/// <param name="LiveProgress">Whether transfers are drawn as live bars (only in text or colour format).</param>
/// <param name="Timestamps">Whether text lines start with the time (JSON lines always carry it).</param>
internal sealed record OutputSettings(LogFormat Format, bool LiveProgress, bool Timestamps)
{
    /// <summary>The environment variables that CI services set; any of them means nobody watches a terminal.</summary>
    internal static readonly IReadOnlyList<string> ContinuousIntegrationVariables = ["CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI"];

    /// <summary>
    /// Resolves <c>--log-format</c> and <c>--progress</c>: by default colour and live bars on a terminal, plain text
    /// when standard output is redirected or a CI variable is set. An explicit value always wins, except that JSON
    /// lines never come with live bars.
    /// </summary>
    internal static OutputSettings Resolve(string? logFormat, string? progress, bool timestamps, bool outputIsTerminal, Func<string, string?> environment)
    {
        var interactive = outputIsTerminal && !ContinuousIntegrationVariables.Any(name => IsSet(environment(name)));
        var format = logFormat?.ToLowerInvariant() switch
        {
            null or "" => interactive ? LogFormat.Color : LogFormat.Text,
            "text" => LogFormat.Text,
            "color" or "colour" => LogFormat.Color,
            "json" => LogFormat.Json,
            _ => throw Usage($"--log-format must be text, color or json, not '{logFormat}'"),
        };
        var mode = progress?.ToLowerInvariant() switch
        {
            null or "" or "auto" => ProgressMode.Auto,
            "tty" => ProgressMode.Tty,
            "plain" => ProgressMode.Plain,
            _ => throw Usage($"--progress must be auto, tty or plain, not '{progress}'"),
        };
        var live = format != LogFormat.Json && (mode == ProgressMode.Tty || (mode == ProgressMode.Auto && interactive));
        return new OutputSettings(format, live, timestamps);
    }

    // CI services set "true" or "1"; "false" and "0" are how people switch the variable off without unsetting it.
    private static bool IsSet(string? value) =>
        !string.IsNullOrEmpty(value) && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";

    private static KanikoException Usage(string detail) => new(DiagnosticCodes.InvalidRequest, detail);
}
