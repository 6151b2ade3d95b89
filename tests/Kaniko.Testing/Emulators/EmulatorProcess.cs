using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kaniko.Testing.Emulators;

/// <summary>
/// A storage emulator running as a Node.js process on 127.0.0.1: started on a free port, ready once the port
/// accepts connections, stopped by its process id. Its output is kept for assertion messages.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly TempDirectory _workingDirectory;

    private EmulatorProcess(Process process, TempDirectory workingDirectory, int port)
    {
        _process = process;
        _workingDirectory = workingDirectory;
        Port = port;
    }

    /// <summary>The port the emulator listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The emulator's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>A folder for the emulator's data, deleted when it stops.</summary>
    public string WorkingDirectory => _workingDirectory.Path;

    /// <summary>The last lines the emulator printed.</summary>
    public string LogTail(int lines = 20)
    {
        lock (_log)
        {
            return string.Join('\n', _log.TakeLast(lines));
        }
    }

    /// <summary>
    /// Starts <c>node</c> with the arguments <paramref name="arguments"/> makes from the chosen port and the working
    /// folder, and waits until the port answers.
    /// </summary>
    public static async Task<EmulatorProcess> StartAsync(string nodePath, Func<int, string, IEnumerable<string>> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var workingDirectory = new TempDirectory("kaniko-emulator-");
        var port = PickFreePort();
        var start = new ProcessStartInfo(nodePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory.Path,
        };
        foreach (var argument in arguments(port, workingDirectory.Path))
        {
            start.ArgumentList.Add(argument);
        }

        // Whatever an emulator keeps in the temporary folder goes with the working folder.
        start.Environment["TMPDIR"] = workingDirectory.Path;
        var process = new Process { StartInfo = start };
        var emulator = new EmulatorProcess(process, workingDirectory, port);
        process.OutputDataReceived += (_, e) => emulator.Append(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.Append(e.Data);
        try
        {
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await emulator.WaitUntilListeningAsync(cancellationToken).ConfigureAwait(false);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the emulator (by its process id) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsRunning())
            {
                _process.Kill();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _process.Dispose();
            _workingDirectory.Dispose();
        }
    }

    private bool IsRunning()
    {
        try
        {
            return !_process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return false; // never started
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException($"the emulator exited with code {_process.ExitCode} before listening; output:\n{LogTail()}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"the emulator did not listen on 127.0.0.1:{Port} within {StartTimeout}; output:\n{LogTail()}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Add(line);
        }
    }

    private static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
