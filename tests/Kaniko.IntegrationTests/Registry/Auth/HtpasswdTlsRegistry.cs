using System.Security.Cryptography.X509Certificates;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>
/// Debian's distribution registry on 127.0.0.1 with Basic authentication (an htpasswd file with bcrypt hashes)
/// over TLS (a self-signed certificate made with openssl for IP 127.0.0.1). Basic over plain http is not an option:
/// the handler refuses to send credentials that way, and the registry itself insists on TLS for htpasswd.
/// </summary>
public sealed class HtpasswdTlsRegistry : IAsyncLifetime
{
    /// <summary>The one user the registry knows.</summary>
    public const string Username = "kaniko";

    /// <summary>Its password: unique, so tests can assert it appears in no message.</summary>
    public const string Password = "htpw-3f9a61c2-never-printed";

    private OwnRegistryProcess? _process;
    private TempDirectory? _directory;
    private string? _unavailable;
    private string? _thumbprint;

    /// <summary>The registry host, <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = "";

    /// <summary>A scratch folder for the tests' config files, inside the fixture's directory.</summary>
    public string Scratch => (_directory ?? throw new InvalidOperationException("not started")).Combine("scratch");

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
        var htpasswd = ExternalTools.Find("htpasswd");
        var openssl = ExternalTools.Find("openssl");
        if (!File.Exists(RegistryOptions.Default.BinaryPath) || htpasswd is null || openssl is null)
        {
            _unavailable = !File.Exists(RegistryOptions.Default.BinaryPath) ? RegistryFixture.MissingBinaryMessage
                : TestRequirements.NotInstalled(htpasswd is null ? "htpasswd" : "openssl");
            return;
        }

        _directory = new TempDirectory("kaniko-auth-registry-");
        Directory.CreateDirectory(Scratch);
        var cert = _directory.Combine("cert.pem");
        var key = _directory.Combine("key.pem");
        await ExternalTools.RunCheckedAsync(openssl,
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert]);
        _thumbprint = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(cert)).GetCertHashString();
        var users = await ExternalTools.RunCheckedAsync(htpasswd, ["-Bbn", Username, Password]);
        var htpasswdFile = _directory.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswdFile, users.StandardOutput);

        Host = $"127.0.0.1:{OwnRegistryProcess.FreePort()}";
        var configuration = OwnRegistryProcess.Configuration(_directory.Path, Host,
            "  tls:",
            "    certificate: " + OwnRegistryProcess.Quote(cert),
            "    key: " + OwnRegistryProcess.Quote(key),
            "auth:",
            "  htpasswd:",
            "    realm: kaniko-test",
            "    path: " + OwnRegistryProcess.Quote(htpasswdFile));
        using var transport = CreateTransport();
        _process = await OwnRegistryProcess.StartAsync(_directory.Path, configuration, new Uri($"https://{Host}/v2/"), transport);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _directory?.Dispose();
    }
}
