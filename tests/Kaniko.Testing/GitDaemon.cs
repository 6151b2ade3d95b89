using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Kaniko.Testing;

/// <summary>A <c>git daemon</c> exporting every repository under a folder on 127.0.0.1 (<c>git://</c>), stopped when disposed.</summary>
public sealed class GitDaemon : IDisposable
{
    private readonly Process _process;

    private GitDaemon(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Starts <c>git daemon</c> for the repositories under <paramref name="root"/> and waits until it accepts connections.</summary>
    public static async Task<GitDaemon> StartAsync(string git, string root, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var startInfo = new ProcessStartInfo(git) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", "--port=" + port, "--base-path=" + root, root })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("git daemon did not start");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var daemon = new GitDaemon(process, port);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return daemon;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(50, cancellationToken);
            }
        }

        daemon.Dispose();
        throw new InvalidOperationException("git daemon did not listen on port " + port);
    }

    /// <summary>Stops the daemon this instance started.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
