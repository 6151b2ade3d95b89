using System.CommandLine;
using System.CommandLine.Invocation;

namespace Kaniko.Cli;

/// <summary>Builds the root command with every verb, and runs it with the tool's exit codes.</summary>
internal static class KanikoCommandLine
{
    internal static RootCommand Create(CliHost? host = null)
    {
        var root = new RootCommand("Build container images from a Dockerfile without a Docker daemon.")
        {
            BuildCommand.Create(host),
            CacheCommand.Create(),
        };
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A command line that does not parse exits with
    /// <see cref="ExitCodes.UsageError"/> (System.CommandLine would use 1, which here means a failed build).
    /// </summary>
    internal static int Run(string[] args, TextWriter? output = null, TextWriter? error = null, CliHost? host = null)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var parse = Create(host).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine(parseError.Message);
            }

            error.WriteLine("Run 'dotnet kaniko --help' for usage.");
            return ExitCodes.UsageError;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
#pragma warning disable CA1031 // The last line of defence: a bug must become an exit code, not a stack trace only.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"internal error: {e}");
            return ExitCodes.InternalError;
        }
    }
}
