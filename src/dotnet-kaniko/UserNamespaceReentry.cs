using System.Diagnostics;
using Kaniko.Engine;

namespace Kaniko.Cli;

/// <summary>
/// Runs this command line again inside the user namespace <see cref="RootlessBuild"/> asks for (a rootless build
/// whose user has subordinate id ranges), with the same arguments, environment, working directory and terminal;
/// the build happens there and its exit code becomes this process's.
/// </summary>
internal static class UserNamespaceReentry
{
    /// <summary>
    /// The exit code of the build run again inside the namespace, or <c>null</c> when <paramref name="request"/>
    /// builds in this process.
    /// </summary>
    public static async Task<int?> TryRunAsync(BuildRequest request, CancellationToken cancellationToken)
    {
        if (RootlessBuild.UserNamespaceCommand(request) is not { } prefix)
        {
            return null;
        }

        var startInfo = new ProcessStartInfo(prefix[0]) { UseShellExecute = false };
        foreach (var argument in prefix.Skip(1).Concat(OwnCommandLine()))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A terminal's Ctrl+C reaches the inner build too; a termination of this process alone is passed on,
            // so the inner build removes its root filesystems (which only the namespace's root may delete).
            await TerminateAsync(process.Id).ConfigureAwait(false);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return process.ExitCode;
    }

    // `dotnet dotnet-kaniko.dll ARGS` runs the muxer with the assembly; an app host (the installed tool) runs alone.
    private static IEnumerable<string> OwnCommandLine()
    {
        var arguments = Environment.GetCommandLineArgs();
        var program = Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        return Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? [program, typeof(UserNamespaceReentry).Assembly.Location, .. arguments.Skip(1)]
            : [program, .. arguments.Skip(1)];
    }

    private static async Task TerminateAsync(int pid)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
            if (kill is not null)
            {
                await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill program: the inner build still ends with its terminal's signal or when its work is done.
        }
    }
}
