using System.Security.Cryptography;

namespace Kaniko.Testing;

/// <summary>
/// A registry served over HTTPS with a certificate from the test CA (<see cref="TestCertificateAuthority"/>) that
/// requires HTTP Basic credentials from an htpasswd file: the setup of a private registry behind a login. The
/// password is random per fixture, so a test can search any output for it.
/// </summary>
public class TlsBasicAuthRegistryFixture : RegistryFixture
{
    /// <summary>The realm the registry names in its <c>WWW-Authenticate: Basic</c> challenge.</summary>
    public const string Realm = "kaniko-test-basic-realm";

    private readonly string password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private TempDirectory? files;
    private TestServerCertificate? certificate;

    /// <summary>A TLS registry with one htpasswd user, <see cref="Username"/>.</summary>
    public TlsBasicAuthRegistryFixture()
        : base(RegistryServerOptions.Default)
    {
    }

    /// <summary>The user the htpasswd file holds.</summary>
    public string Username => "kaniko-user";

    /// <summary>The password of <see cref="Username"/> (random per fixture).</summary>
    public string Password
    {
        get
        {
            RequireRunning();
            return password;
        }
    }

    /// <summary><c>user:password</c>, as skopeo's <c>--creds</c>/<c>--dest-creds</c> take it.</summary>
    public string Credentials => Username + ":" + Password;

    /// <summary>The registry's certificate, the CA that signed it and the skopeo certificate directory.</summary>
    public TestServerCertificate Certificate
    {
        get
        {
            RequireRunning();
            return certificate!;
        }
    }

    /// <summary>The PEM certificate of the CA that signed the registry's certificate.</summary>
    public string CaCertificatePath => Certificate.CaCertificatePath;

    /// <summary>
    /// A directory holding only <c>ca.crt</c>, like one containers <c>certs.d/HOST:PORT</c> folder: what skopeo's
    /// <c>--cert-dir</c>/<c>--dest-cert-dir</c> expect.
    /// </summary>
    public string CertificateDirectory => Certificate.CertificateDirectory;

    /// <summary>An <see cref="HttpClientHandler"/> that trusts the test CA and nothing else.</summary>
    public HttpClientHandler CreateTrustingHandler() => Certificate.CreateTrustingHandler();

    /// <inheritdoc />
    protected override string? FindMissingPrerequisite() =>
        ExternalTools.Find("openssl") is null ? TestRequirements.NotInstalled("openssl")
        : ExternalTools.Find("htpasswd") is null ? TestRequirements.NotInstalled(Htpasswd.Package)
        : null;

    /// <inheritdoc />
    protected override async ValueTask<RegistryServerOptions> PrepareAsync(RegistryServerOptions options, CancellationToken cancellationToken)
    {
        files = new TempDirectory("kaniko-tls-registry-");
        certificate = await TestCertificateAuthority.IssueServerCertificateAsync(files.Combine("tls"), cancellationToken).ConfigureAwait(false);
        var htpasswdPath = files.Combine("htpasswd");
        await Htpasswd.WriteAsync(htpasswdPath, new Dictionary<string, string> { [Username] = password }, cancellationToken)
            .ConfigureAwait(false);
        return options with
        {
            Tls = new RegistryTlsOptions(certificate.CertificatePath, certificate.KeyPath, certificate.CaCertificatePath),
            Htpasswd = new RegistryHtpasswdOptions(Realm, htpasswdPath),
        };
    }

    /// <inheritdoc />
    protected override ValueTask DisposeCoreAsync()
    {
        files?.Dispose();
        return ValueTask.CompletedTask;
    }
}
