using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>
/// A distribution registry process with an authentication section in its configuration, which the shared
/// <see cref="RegistryServer"/> (plain, anonymous, ready on <c>200</c>) does not cover: this one is ready when
/// <c>/v2/</c> answers <c>401</c>. Disposing stops exactly the process it started.
/// </summary>
internal sealed class OwnRegistryProcess : IAsyncDisposable
{
    private static readonly Lock LogLock = new();
    private readonly Process _process;
    private readonly string _log;

    private OwnRegistryProcess(Process process, string log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>A free loopback port for the registry to listen on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Configuration text: storage in <paramref name="directory"/>, listening on <paramref name="host"/>, then <paramref name="extraYaml"/> lines.</summary>
    public static string Configuration(string directory, string host, params IEnumerable<string> extraYaml) =>
        string.Join('\n', new[]
        {
            "version: 0.1",
            "log:",
            "  level: info",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + Quote(Path.Combine(directory, "data")),
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            "  addr: " + host,
            "  secret: " + Quote(Guid.NewGuid().ToString("N")),
        }.Concat(extraYaml).Append(""));

    /// <summary>Single-quoted YAML scalar.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Starts the registry with <paramref name="configuration"/> and waits until <paramref name="probe"/> answers 401.</summary>
    public static async Task<OwnRegistryProcess> StartAsync(string directory, string configuration, Uri probe, HttpMessageHandler transport)
    {
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, configuration);
        var startInfo = new ProcessStartInfo(RegistryOptions.Default.BinaryPath)
        {
            ArgumentList = { "serve", config },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
        {
            startInfo.Environment.Remove(name);
        }

        var log = Path.Combine(directory, "registry.log");
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("cannot start the registry");
        var own = new OwnRegistryProcess(process, log);
        process.OutputDataReceived += (_, e) => own.Append(e.Data);
        process.ErrorDataReceived += (_, e) => own.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await own.WaitUntilChallengingAsync(probe, transport);
            return own;
        }
        catch
        {
            await own.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines of the registry's output.</summary>
    public string ReadLog()
    {
        lock (LogLock)
        {
            return File.Exists(_log) ? string.Join('\n', File.ReadLines(_log).TakeLast(20)) : "(no output)";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(_log, line + "\n");
            }
        }
    }

    private async Task WaitUntilChallengingAsync(Uri probe, HttpMessageHandler transport)
    {
        using var client = new HttpClient(transport, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"docker-registry exited with {_process.ExitCode}: {ReadLog()}"));
            }

            try
            {
                using var response = await client.GetAsync(probe);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening or not answering yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"docker-registry did not answer {probe} with 401 in time: {ReadLog()}");
    }
}
