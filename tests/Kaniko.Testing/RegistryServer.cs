using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Kaniko.Testing;

/// <summary>
/// One running instance of Debian's distribution registry (<c>docker-registry serve CONFIG</c>) on 127.0.0.1, with
/// its configuration, storage and log in a private temporary directory. Disposing stops exactly the process this
/// instance started and deletes the directory.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private bool _disposed;

    private RegistryServer(Process process, StreamWriter log, string workingDirectory, int port, RegistryServerOptions options)
    {
        _process = process;
        _log = log;
        WorkingDirectory = workingDirectory;
        Port = port;
        Options = options;
    }

    /// <summary>The configuration this instance was started with.</summary>
    public RegistryServerOptions Options { get; }

    /// <summary>The loopback port the registry listens on.</summary>
    public int Port { get; }

    /// <summary>The registry host as image references spell it: <c>127.0.0.1:PORT</c>.</summary>
    public string Host => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The base address, <c>http://127.0.0.1:PORT/</c> (<c>https</c> with TLS).</summary>
    public Uri BaseAddress => new(Options.Scheme + "://" + Host + "/");

    /// <summary>The id of the registry process (for diagnostics and tests of the fixture itself).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The temporary directory holding <c>config.yml</c>, <c>data/</c> and <c>registry.log</c>.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The file the registry's output goes to.</summary>
    public string LogPath => Path.Combine(WorkingDirectory, "registry.log");

    /// <summary>
    /// Starts a registry configured by <paramref name="options"/> and waits until <c>GET /v2/</c> answers 200 (401 when
    /// the registry requires authentication; over TLS the probe trusts only the configured CA).
    /// </summary>
    /// <exception cref="FileNotFoundException">The registry binary is missing.</exception>
    /// <exception cref="TimeoutException">The registry did not answer in time; the message holds the end of its log.</exception>
    public static async Task<RegistryServer> StartAsync(RegistryServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(options.BinaryPath))
        {
            throw new FileNotFoundException(RegistryFixture.MissingBinaryMessage, options.BinaryPath);
        }

        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(options);
            try
            {
                await server.WaitUntilReadyAsync(options.StartupTimeout, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (PortTakenException) when (attempt < StartAttempts)
            {
                // Another process took the port between our probe and the registry's bind: pick another one.
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines the registry logged.</summary>
    public string ReadLogTail(int lines = 20)
    {
        lock (_logLock)
        {
            if (!_disposed)
            {
                _log.Flush();
            }
        }

        if (!File.Exists(LogPath))
        {
            return string.Empty;
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }

    /// <summary>Stops the registry process this instance started, waits for it to exit and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_logLock)
            {
                _disposed = true;
                _log.Dispose();
            }

            _process.Dispose();
            DeleteDirectory(WorkingDirectory);
        }
    }

    private static RegistryServer Launch(RegistryServerOptions options)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("kaniko-registry-").FullName;
        var storage = Directory.CreateDirectory(Path.Combine(workingDirectory, "data")).FullName;
        var port = PickFreePort();
        var configPath = Path.Combine(workingDirectory, "config.yml");
        File.WriteAllText(configPath, RegistryConfiguration.Create(options, port, storage));

        var startInfo = new ProcessStartInfo(options.BinaryPath)
        {
            ArgumentList = { "serve", configPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        // REGISTRY_* variables override the configuration file; a developer's shell must not change the fixture.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        var log = new StreamWriter(Path.Combine(workingDirectory, "registry.log")) { AutoFlush = false };
        var process = new Process { StartInfo = startInfo };
        var server = new RegistryServer(process, log, workingDirectory, port, options);
        process.OutputDataReceived += (_, e) => server.AppendLog(e.Data);
        process.ErrorDataReceived += (_, e) => server.AppendLog(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            DeleteDirectory(workingDirectory);
            throw;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    private static int PickFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private void AppendLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_disposed)
            {
                _log.WriteLine(line);
            }
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var handler = Options.Tls is { } tls ? CustomCaTrust.CreateHandler(tls.CaCertificatePath) : new HttpClientHandler();
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var ready = Options.RequiresAuthentication ? HttpStatusCode.Unauthorized : HttpStatusCode.OK;
        var probe = new Uri(BaseAddress, "v2/");
        var stopwatch = Stopwatch.StartNew();
        HttpStatusCode? lastStatus = null;
        string? lastError = null;
        while (stopwatch.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                var tail = ReadLogTail();
                if (tail.Contains("address already in use", StringComparison.Ordinal))
                {
                    throw new PortTakenException();
                }

                throw new InvalidOperationException(
                    $"docker-registry exited with code {_process.ExitCode} before answering {probe}; log tail:\n{tail}");
            }

            try
            {
                using var response = await client.GetAsync(probe, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == ready)
                {
                    return;
                }

                lastStatus = response.StatusCode;
            }
            catch (HttpRequestException e)
            {
                lastError = e.Message;
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = e.Message;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }

        var last = lastStatus is { } status ? $"last status {(int)status}" : $"last error: {lastError ?? "none"}";
        throw new TimeoutException(
            $"docker-registry (pid {_process.Id}) did not answer {(int)ready} on {probe} within {timeout.TotalSeconds:0}s ({last}); log tail:\n{ReadLogTail()}");
    }

    private sealed class PortTakenException : Exception;
}
