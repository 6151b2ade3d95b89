using System.Security.Cryptography;

namespace Kaniko.Testing;

/// <summary>
/// What the authenticated registry fixtures (<see cref="TlsBasicAuthRegistryFixture"/>, <see cref="TokenAuthRegistryFixture"/>)
/// share: one user with a password that is random per fixture (so a test can search any output for it), a working
/// folder for their files, and, when they serve HTTPS, the certificate of the test CA and a client that trusts it.
/// </summary>
public abstract class AuthenticatedRegistryFixture : RegistryFixture
{
    private readonly string _password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private TestServerCertificate? _certificate;
    private TempDirectory? _files;

    /// <summary>A registry configured by <paramref name="options"/>, completed in <see cref="RegistryFixture.PrepareAsync"/>.</summary>
    protected AuthenticatedRegistryFixture(RegistryServerOptions options)
        : base(options)
    {
    }

    /// <summary>The one user the registry (or its token server) knows.</summary>
    public string Username => "kaniko-user";

    /// <summary>The password of <see cref="Username"/> (random per fixture).</summary>
    public string Password
    {
        get
        {
            RequireRunning();
            return _password;
        }
    }

    /// <summary><c>user:password</c>, as skopeo's <c>--creds</c>/<c>--dest-creds</c> take it.</summary>
    public string Credentials => Username + ":" + Password;

    /// <summary>The registry's certificate, the CA that signed it and the skopeo certificate directory.</summary>
    /// <exception cref="InvalidOperationException">The fixture serves plain HTTP.</exception>
    public TestServerCertificate Certificate
    {
        get
        {
            RequireRunning();
            return _certificate ?? throw new InvalidOperationException("this fixture serves plain HTTP");
        }
    }

    /// <summary>The PEM certificate of the CA that signed the registry's certificate (for <c>--registry-certificate</c>, curl's <c>--cacert</c>).</summary>
    public string CaCertificatePath => Certificate.CaCertificatePath;

    /// <summary>
    /// A directory holding only <c>ca.crt</c>, like one containers <c>certs.d/HOST:PORT</c> folder: what skopeo's
    /// <c>--cert-dir</c>/<c>--dest-cert-dir</c> expect.
    /// </summary>
    public string CertificateDirectory => Certificate.CertificateDirectory;

    /// <summary>The password the fixture gives <see cref="Username"/>, for <see cref="RegistryFixture.PrepareAsync"/> to write.</summary>
    protected string UserPassword => _password;

    /// <summary>An <see cref="HttpClientHandler"/> that trusts the test CA and nothing else (a plain handler over HTTP).</summary>
    public HttpClientHandler CreateTrustingHandler()
    {
        RequireRunning();
        return _certificate?.CreateTrustingHandler() ?? new HttpClientHandler();
    }

    /// <summary>
    /// Creates the fixture's own temporary folder (certificates, htpasswd, token signer), named with
    /// <paramref name="prefix"/> and deleted by <see cref="DisposeCoreAsync"/>.
    /// </summary>
    protected TempDirectory CreateFilesDirectory(string prefix) => _files = new TempDirectory(prefix);

    /// <summary>Issues the server certificate from the test CA into the fixture's folder and keeps it as <see cref="Certificate"/>.</summary>
    protected async Task<TestServerCertificate> IssueCertificateAsync(CancellationToken cancellationToken)
    {
        if (_files is null)
        {
            throw new InvalidOperationException("call CreateFilesDirectory first");
        }

        _certificate = await TestCertificateAuthority.IssueServerCertificateAsync(_files.Combine("tls"), cancellationToken).ConfigureAwait(false);
        return _certificate;
    }

    /// <summary>The <c>http.tls</c> section for <paramref name="served"/>.</summary>
    protected static RegistryTlsOptions TlsOptions(TestServerCertificate served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return new RegistryTlsOptions(served.CertificatePath, served.KeyPath, served.CaCertificatePath);
    }

    /// <inheritdoc />
    protected override ValueTask DisposeCoreAsync()
    {
        _files?.Dispose();
        return ValueTask.CompletedTask;
    }
}
