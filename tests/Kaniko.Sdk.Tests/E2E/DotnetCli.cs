using System.Diagnostics;
using System.Text;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>The output of one <c>dotnet</c> command, standard output and error interleaved as they came.</summary>
public sealed record CliResult(int ExitCode, string Output);

/// <summary>Runs the <c>dotnet</c> CLI the way a developer would, without build servers left behind.</summary>
public static class DotnetCli
{
    /// <summary>Runs <c>dotnet ARGS</c> in <paramref name="workingDirectory"/>; the process is killed after <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunAsync(
        string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        startInfo.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        startInfo.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The test host's own MSBuild variables would point the child at the wrong SDK or targets.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            return new CliResult(-1, $"timed out after {timeout}:\n{output}");
        }

        // The asynchronous readers finish after the process; waiting once more flushes them.
        process.WaitForExit();
        lock (output)
        {
            return new CliResult(process.ExitCode, output.ToString());
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
