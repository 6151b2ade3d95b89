using System.Diagnostics;

namespace Kaniko.Cli.Tests;

/// <summary>Runs the built CLI (<c>dotnet-kaniko.dll</c> beside the tests) as a separate process.</summary>
internal static class CliProcess
{
    /// <summary>Runs the CLI with <paramref name="arguments"/> and the extra <paramref name="environment"/>; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync([], arguments, environment);

    /// <summary>
    /// Runs the CLI under GNU time and returns, with its exit code and output, its peak resident memory in bytes (the
    /// child's own high-water mark from <c>wait4</c>'s rusage, whatever else this process runs). Skips without GNU time.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error, long PeakResidentBytes)> RunMeasuredAsync(IEnumerable<string> arguments)
    {
        const string GnuTime = "/usr/bin/time";
        if (!File.Exists(GnuTime))
        {
            Assert.Skip("GNU time (/usr/bin/time) not installed (scripts/install-test-deps.sh)");
        }

        var report = Path.Combine(Path.GetTempPath(), "kaniko-cli-rusage-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output, error) = await RunAsync([GnuTime, "--format", "%M", "--output", report], arguments, environment: null);
            var kilobytes = long.Parse((await File.ReadAllTextAsync(report, TestContext.Current.CancellationToken)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return (exitCode, output, error, kilobytes * 1024);
        }
        finally
        {
            File.Delete(report);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] wrapper, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        string[] command = [.. wrapper, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet"];
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var part in command.Skip(1))
        {
            start.ArgumentList.Add(part);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
