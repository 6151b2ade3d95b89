using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Kaniko.Engine;

namespace Kaniko.Cli;

/// <summary>
/// Runs this command line again inside the user namespace <see cref="RootlessBuild"/> asks for (a rootless build
/// whose user has subordinate id ranges), with the same arguments, environment, working directory and terminal;
/// the build happens there and its exit code becomes this process's.
/// <para>
/// The inner build's temporary folder is one this process makes: root filesystems hold files of subordinate ids,
/// which only the namespace's root may delete, so whatever the inner build leaves there (killed, or stopped by a
/// signal before it could clean up) is removed afterwards from inside a namespace like its own.
/// </para>
/// </summary>
internal static class UserNamespaceReentry
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);

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

        var temporary = Directory.CreateTempSubdirectory("kaniko-userns-");
        try
        {
            var startInfo = Command(prefix, OwnCommandLine.Get());
            startInfo.Environment["TMPDIR"] = temporary.FullName;
            using var process = Process.Start(startInfo)!;
            using var stop = new CancellationTokenSource();
            // A terminal's Ctrl+C reaches the inner build too; a signal to this process alone is passed on. Either way
            // this process waits for the inner build, then removes what it left.
            var registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }
                .Select(signal => PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    stop.Cancel();
                }))
                .ToList();
            using var cancelled = cancellationToken.Register(stop.Cancel);
            try
            {
                await process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await TerminateAsync(process).ConfigureAwait(false);
            }
            finally
            {
                registrations.ForEach(r => r.Dispose());
            }

            return process.ExitCode;
        }
        finally
        {
            await RemoveAsync(prefix, temporary).ConfigureAwait(false);
        }
    }

    private static async Task TerminateAsync(Process process)
    {
        using (var kill = Process.Start(Command(["kill"], ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        using var grace = new CancellationTokenSource(GracePeriod);
        try
        {
            await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The inner build's sandbox dies with it (bwrap --die-with-parent); its files are removed below.
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task RemoveAsync(IReadOnlyList<string> prefix, DirectoryInfo temporary)
    {
        if (temporary.Exists && temporary.EnumerateFileSystemInfos().Any())
        {
            using var remove = Process.Start(Command(prefix, ["rm", "-rf", "--one-file-system", "--", temporary.FullName]));
            if (remove is not null)
            {
                await remove.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        temporary.Refresh();
        if (temporary.Exists)
        {
            temporary.Delete(recursive: true);
        }
    }

    private static ProcessStartInfo Command(IEnumerable<string> program, IEnumerable<string> arguments)
    {
        var all = program.Concat(arguments).ToList();
        var startInfo = new ProcessStartInfo(all[0]) { UseShellExecute = false };
        foreach (var argument in all.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }
}
