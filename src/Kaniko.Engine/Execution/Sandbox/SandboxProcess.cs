using System.Diagnostics;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Starts a <see cref="HostCommand"/> in a session and process group of its own (through <c>setsid</c>), streams its
/// output line by line, and kills the whole group when the step ends or is cancelled, so no process of the step
/// outlives it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SandboxProcess
{
    private const int MaxLineBytes = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="command"/> to its end and returns its exit code.</summary>
    public static Task<int> RunAsync(
        HostCommand command, string setsid, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken) =>
        RunAsync(command, setsid, output, started: null, cancellationToken);

    /// <summary>
    /// Runs <paramref name="command"/> to its end and returns its exit code; <paramref name="started"/> gets the
    /// process id once it runs and its output is being read.
    /// </summary>
    public static async Task<int> RunAsync(
        HostCommand command, string setsid, IProgress<SandboxOutputLine>? output, Action<int>? started, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(setsid)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(command.FileName);
        foreach (var argument in command.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var entry in command.Environment)
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                startInfo.Environment[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        var running = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var exited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // bwrap --die-with-parent and setpriv --pdeathsig (PR_SET_PDEATHSIG) fire when the *thread* that started the
        // process ends, and pool threads end when idle: a dedicated thread starts it and lives exactly as long as it does.
        var thread = new Thread(() =>
        {
            Process process;
            try
            {
                process = Process.Start(startInfo) ?? throw new InvalidOperationException("cannot start " + setsid);
            }
            catch (Exception e)
            {
                running.SetException(e);
                return;
            }

            running.SetResult(process);
            process.WaitForExit();
            exited.SetResult();
        })
        {
            IsBackground = true,
            Name = "kaniko RUN",
        };
        thread.Start();

        using var process = await running.Task.ConfigureAwait(false);
        var processGroup = process.Id;
        process.StandardInput.Close();
        var gate = new object();
        var stdout = ReadLinesAsync(process.StandardOutput.BaseStream, SandboxOutputStream.StandardOutput, output, gate);
        var stderr = ReadLinesAsync(process.StandardError.BaseStream, SandboxOutputStream.StandardError, output, gate);

        using (cancellationToken.Register(() => Kill(process, processGroup)))
        {
            started?.Invoke(process.Id);
            await exited.Task.ConfigureAwait(false);
        }

        // Whatever the step left running in its group (a daemon it started) ends with it, as in a container.
        LibC.KillProcessGroup(processGroup);
        try
        {
            await Task.WhenAll(stdout, stderr).WaitAsync(DrainTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A process that left the group still holds the pipes; its output is no longer the step's.
        }

        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }

    private static void Kill(Process process, int processGroup)
    {
        LibC.KillProcessGroup(processGroup);
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task ReadLinesAsync(Stream stream, SandboxOutputStream kind, IProgress<SandboxOutputLine>? output, object gate)
    {
        var buffer = new byte[8192];
        var line = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == (byte)'\n')
                {
                    line.Write(buffer, start, i - start);
                    Emit(line, kind, output, gate);
                    start = i + 1;
                }
            }

            line.Write(buffer, start, read - start);
            if (line.Length >= MaxLineBytes)
            {
                Emit(line, kind, output, gate);
            }
        }

        if (line.Length > 0)
        {
            Emit(line, kind, output, gate);
        }
    }

    private static void Emit(MemoryStream line, SandboxOutputStream kind, IProgress<SandboxOutputLine>? output, object gate)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        var text = Encoding.UTF8.GetString(bytes);
        line.SetLength(0);
        if (output is not null)
        {
            lock (gate)
            {
                output.Report(new SandboxOutputLine(kind, text));
            }
        }
    }
}
