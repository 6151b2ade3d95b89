using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The command lines of shell-form instructions (<c>RUN</c>, <c>CMD</c>, <c>ENTRYPOINT</c>) as BuildKit's
/// Dockerfile frontend builds them from the stage's config, heredocs included.
/// </summary>
internal static class ShellCommandLine
{
    /// <summary>
    /// The arguments a <c>RUN</c> starts with in a stage whose config is <paramref name="image"/>: the shell form
    /// wrapped in the config's <c>SHELL</c>, heredocs joined to the command as BuildKit does, and a heredoc that is the
    /// whole command and starts with <c>#!</c> run as a script of its own.
    /// </summary>
    public static (IReadOnlyList<string> Args, RunScript? Script) ForRun(RunInstruction run, ImageConfigFile image)
    {
        IReadOnlyList<string> args = run.CommandLine;
        RunScript? script = null;
        if (run.Heredocs.Count > 0)
        {
            if (args.Count != 1 || !run.PrependShell)
            {
                throw new KanikoException(DiagnosticCodes.InternalError,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidRunCommand, GoFormat.List(args)), run.Range);
            }

            if (SingleHeredoc(args[0]))
            {
                // The whole command is one heredoc: its body is the script.
                var file = run.Heredocs[0];
                var data = file.Chomp ? ChompLeadingTabs(file.Data) : file.Data;
                if (!IsWindows(image.Os) && data.StartsWith("#!", StringComparison.Ordinal))
                {
                    script = new RunScript("/dev/pipes/" + file.Name, data);
                    args = [script.Path];
                }
                else
                {
                    args = [data];
                }
            }
            else
            {
                // The shell reads the heredocs itself: BuildKit appends each body and terminator to the command.
                args = [args[0] + string.Concat(run.Heredocs.Select(f => "\n" + f.Data + f.Name))];
            }
        }

        return (run.PrependShell ? WithShell(image, args) : args.ToArray(), script);
    }

    private static bool SingleHeredoc(string command)
    {
        try
        {
            return HeredocMarkers.ParseWord(command) is not null;
        }
        catch (ShellWordException)
        {
            // BuildKit's MustParseHeredoc ignores a marker it cannot read.
            return false;
        }
    }

    // Go's (?m)^\t+ replaced by nothing: tabs at the start of every line.
    private static string ChompLeadingTabs(string data) =>
        string.Join('\n', data.Split('\n').Select(line => line.TrimStart('\t')));

    /// <summary>The shell form <paramref name="commandLine"/> as the config's <c>SHELL</c> (default <c>/bin/sh -c</c>, <c>cmd /S /C</c> on Windows) runs it.</summary>
    public static string[] WithShell(ImageConfigFile image, IReadOnlyList<string> commandLine)
    {
        var shell = image.Config!.Shell is { Count: > 0 } configured ? configured
            : IsWindows(image.Os) ? ["cmd", "/S", "/C"] : ["/bin/sh", "-c"];
        return [.. shell, string.Join(' ', commandLine)];
    }

    /// <summary>Whether <paramref name="os"/> is Windows, whose default shell and <c>PATH</c> differ.</summary>
    public static bool IsWindows(string os) => os == "windows";
}
