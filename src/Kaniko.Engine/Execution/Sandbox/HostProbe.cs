using System.Diagnostics;
using System.Globalization;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Tries a host command once before a build relies on it (bwrap's namespaces, the user namespace of a rootless build):
/// its standard error is the reason when it fails, so the error a user sees is the tool's own words.
/// </summary>
internal static class HostProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    /// <summary>Runs <paramref name="program"/>; <c>null</c> when it exits with 0, else why it did not.</summary>
    public static string? Run(string program, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(startInfo)!;
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                return Path.GetFileName(program) + " did not finish within " + Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s";
            }

            return process.ExitCode == 0 ? null : error.GetAwaiter().GetResult().Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
