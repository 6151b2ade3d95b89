using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Storage;

/// <summary>
/// A <c>fuse-overlayfs</c> mount and the program that serves it, tied to this build's life. The program runs in the
/// foreground (<c>-f</c>) as a child of a thread kept for it, under <c>setpriv --pdeathsig KILL</c>: when that thread
/// ends, the build's process included (SIGKILL), the kernel kills the program. This matters because a daemon started
/// in the build's mount namespace would keep that namespace, and so its mount, alive after the build: with the
/// program gone the namespace empties and its mounts go with it. The death signal follows the thread that started
/// the child, not the process, hence the thread of its own, which lives until the program exits.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FuseOverlayProcess(Process process, Thread owner, StringBuilder errors, string target) : IDisposable
{
    private static readonly TimeSpan MountTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Starts <paramref name="fuseOverlayfs"/> with <paramref name="options"/> on <paramref name="target"/> (in the
    /// calling thread's mount namespace) and returns once the mount is there; throws with the program's own words when
    /// it exits first.
    /// </summary>
    public static FuseOverlayProcess Mount(string setpriv, string fuseOverlayfs, string options, string target)
    {
        var start = new ProcessStartInfo(setpriv) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--pdeathsig", "KILL", "--", fuseOverlayfs, "-f", "-o", options, target })
        {
            start.ArgumentList.Add(argument);
        }

        var errors = new StringBuilder();
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var owner = new Thread(() => StartAndWait(start, errors, started)) { IsBackground = true, Name = "fuse-overlayfs" };
        owner.Start();
        var process = started.Task.GetAwaiter().GetResult();
        var mount = new FuseOverlayProcess(process, owner, errors, target);
        try
        {
            mount.WaitForMount();
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    /// <summary>Unmounts (detached), then waits for the program to see the mount gone and end; kills it if it does not.</summary>
    public void Dispose()
    {
        if (!process.HasExited)
        {
            _ = OverlayNative.Unmount(target);
            if (!process.WaitForExit(ExitTimeout))
            {
                process.Kill();
            }
        }

        owner.Join();
        process.Dispose();
    }

    private static void StartAndWait(ProcessStartInfo start, StringBuilder errors, TaskCompletionSource<Process> started)
    {
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("cannot start " + start.FileName);
        }
        catch (Exception e)
        {
            started.SetException(e is IOException ? e : new IOException("cannot start " + start.FileName + ": " + e.Message, e));
            return;
        }

        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (errors)
                {
                    errors.AppendLine(line.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        started.SetResult(process);
        // This thread is the program's parent as the kernel's death signal sees it: it must outlive the mount.
        process.WaitForExit();
    }

    // The mount is there when the target's device is no longer its parent folder's.
    private void WaitForMount()
    {
        var parent = FileStat.TryRead(Path.GetDirectoryName(target) ?? "/")?.Device;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                string said;
                lock (errors)
                {
                    said = errors.ToString().Trim();
                }

                throw new IOException("fuse-overlayfs did not mount " + target + " (exit code "
                    + process.ExitCode.ToString(CultureInfo.InvariantCulture) + "): " + said);
            }

            if (FileStat.TryRead(target) is { } now && now.Device != parent)
            {
                return;
            }

            if (waited.Elapsed > MountTimeout)
            {
                throw new IOException("fuse-overlayfs did not mount " + target + " within " + MountTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s");
            }

            Thread.Sleep(5);
        }
    }
}
