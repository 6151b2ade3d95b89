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

        using var signals = TerminationSignals.Listen(error);
        try
        {
            var configuration = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            var exitCode = parse.InvokeAsync(configuration, signals.Token).GetAwaiter().GetResult();
            // A step killed by the cancellation may have failed on its own first: the signal is still the reason.
            return signals.Received is null ? exitCode : signals.ExitCode;
        }
        catch (OperationCanceledException) when (signals.Received is not null)
        {
            error.WriteLine("build cancelled");
            return signals.ExitCode;
        }
#pragma warning disable CA1031 // The last line of defence: a bug must become an exit code, not a stack trace only.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Reached only by bugs: every fault of the input, the registry or the machine is a KanikoException with
            // its own exit code (tests/Kaniko.ArchitectureTests checks the faults it knows of).
            error.WriteLine($"internal error: {e}");
            return ExitCodes.InternalError;
        }
    }
}
