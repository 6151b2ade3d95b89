using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>The output of one <c>dotnet</c> command: its exit code, then standard output followed by standard error.</summary>
public sealed record CliResult(int ExitCode, string Output);

/// <summary>Runs the <c>dotnet</c> CLI the way a developer would, without build servers left behind.</summary>
public static class DotnetCli
{
    /// <summary>Runs <c>dotnet ARGS</c> in <paramref name="workingDirectory"/>; the process tree is killed after <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunAsync(
        string workingDirectory, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            // The test host's own MSBuild variables would point the child at the wrong SDK or targets.
            ["MSBuildSDKsPath"] = null,
            ["MSBuildExtensionsPath"] = null,
            ["MSBUILD_EXE_PATH"] = null,
            ["DOTNET_HOST_PATH"] = null,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        try
        {
            var result = await ExternalTools.RunAsync("dotnet", arguments, timeout, CancellationToken.None, workingDirectory, variables).ConfigureAwait(false);
            return new CliResult(result.ExitCode, result.StandardOutput + result.StandardError);
        }
        catch (TimeoutException e)
        {
            return new CliResult(-1, e.Message);
        }
    }
}
