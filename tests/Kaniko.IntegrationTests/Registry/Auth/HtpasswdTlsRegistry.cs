using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>
/// Debian's distribution registry on 127.0.0.1 with Basic authentication (an htpasswd file with bcrypt hashes)
/// over TLS (a self-signed certificate made with openssl for IP 127.0.0.1). Basic over plain http is not an option:
/// the handler refuses to send credentials that way, and the registry itself insists on TLS for htpasswd.
/// Disposing stops exactly the process this fixture started.
/// </summary>
public sealed class HtpasswdTlsRegistry : IAsyncLifetime
{
    /// <summary>The one user the registry knows.</summary>
    public const string Username = "kaniko";

    /// <summary>Its password: unique, so tests can assert it appears in no message.</summary>
    public const string Password = "htpw-3f9a61c2-never-printed";

    private Process? _process;
    private TempDirectory? _directory;
    private string? _unavailable;
    private string? _thumbprint;

    /// <summary>The registry host, <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = "";

    /// <summary>A scratch folder for the tests' config files, inside the fixture's directory.</summary>
    public string Scratch => Path.Combine(Directory!.Path, "scratch");

    private TempDirectory Directory => _directory ?? throw new InvalidOperationException("not started");

    /// <summary>Skips the calling test when the registry or its tools are missing.</summary>
    public void RequireAvailable()
    {
        if (_unavailable is not null)
        {
            TestRequirements.Unavailable(_unavailable);
        }
    }

    /// <summary>A handler that trusts this registry's certificate only, and leaves redirects to the client.</summary>
    public SocketsHttpHandler CreateTransport() => new()
    {
        AllowAutoRedirect = false,
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), _thumbprint, StringComparison.OrdinalIgnoreCase),
        },
    };

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var registry = RegistryOptions.Default.BinaryPath;
        var htpasswd = ExternalTools.Find("htpasswd");
        var openssl = ExternalTools.Find("openssl");
        if (!File.Exists(registry) || htpasswd is null || openssl is null)
        {
            _unavailable = !File.Exists(registry) ? RegistryFixture.MissingBinaryMessage : TestRequirements.NotInstalled(htpasswd is null ? "htpasswd" : "openssl");
            return;
        }

        _directory = new TempDirectory("kaniko-auth-registry-");
        System.IO.Directory.CreateDirectory(Scratch);
        var cert = _directory.Combine("cert.pem");
        var key = _directory.Combine("key.pem");
        await ExternalTools.RunCheckedAsync(openssl,
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]);
        _thumbprint = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert)).GetCertHashString();
        var users = await ExternalTools.RunCheckedAsync(htpasswd, ["-Bbn", Username, Password]);
        var htpasswdFile = _directory.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswdFile, users.StandardOutput);

        var port = FreePort();
        Host = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}");
        var config = _directory.Combine("config.yml");
        await File.WriteAllTextAsync(config, string.Join('\n',
            "version: 0.1",
            "log:",
            "  level: info",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + Quote(_directory.Combine("data")),
            "  maintenance:",
            "    uploadpurging:",
            "      enabled: false",
            "http:",
            "  addr: " + Host,
            "  secret: " + Quote(Guid.NewGuid().ToString("N")),
            "  tls:",
            "    certificate: " + Quote(cert),
            "    key: " + Quote(key),
            "auth:",
            "  htpasswd:",
            "    realm: kaniko-test",
            "    path: " + Quote(htpasswdFile),
            ""));

        var startInfo = new ProcessStartInfo(registry)
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

        var log = _directory.Combine("registry.log");
        _process = Process.Start(startInfo) ?? throw new InvalidOperationException("cannot start " + registry);
        _process.OutputDataReceived += (_, e) => Append(log, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilChallengingAsync(log);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        _directory?.Dispose();
    }

    private async Task WaitUntilChallengingAsync(string log)
    {
        using var client = new HttpClient(CreateTransport()) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with {_process.ExitCode}: {ReadLog(log)}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri($"https://{Host}/v2/"));
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"docker-registry did not answer https://{Host}/v2/ with 401 in time: {ReadLog(log)}");
    }

    private static readonly Lock LogLock = new();

    private static void Append(string log, string? line)
    {
        if (line is not null)
        {
            lock (LogLock)
            {
                File.AppendAllText(log, line + "\n");
            }
        }
    }

    private static string ReadLog(string log)
    {
        lock (LogLock)
        {
            return File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(20)) : "(no output)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
