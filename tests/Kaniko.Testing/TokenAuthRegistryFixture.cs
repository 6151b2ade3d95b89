using System.Security.Cryptography;
using Kaniko.Testing.TokenAuth;

namespace Kaniko.Testing;

/// <summary>
/// A registry that requires bearer tokens from a <see cref="TokenAuth.TokenServer"/> (the Docker Hub flow): registry
/// and token server both serve HTTPS on loopback with one certificate from the test CA (plain HTTP when
/// <see cref="UseTls"/> is overridden to false), <c>auth.token</c> points at the token server, whose signing
/// certificate is the registry's <c>rootcertbundle</c>. By default <see cref="Username"/> may pull, push and delete under <see cref="PrivatePrefix"/>
/// and <see cref="PublicPrefix"/> and list the catalog; everyone, anonymous callers included, may pull under
/// <see cref="PublicPrefix"/>. Derived fixtures change that by overriding <see cref="CreateTokenServerOptions"/>.
/// </summary>
public class TokenAuthRegistryFixture : RegistryFixture
{
    /// <summary>Repositories only <see cref="Username"/> may use.</summary>
    public const string PrivatePrefix = "private/";

    /// <summary>Repositories everyone may pull and <see cref="Username"/> may push.</summary>
    public const string PublicPrefix = "public/";

    private readonly string password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private TempDirectory? files;
    private TokenServer? tokenServer;
    private TestServerCertificate? certificate;

    /// <summary>A token-auth registry with the default users and grants.</summary>
    public TokenAuthRegistryFixture()
        : base(RegistryServerOptions.Default)
    {
    }

    /// <summary>The user the token server knows.</summary>
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

    /// <summary><c>user:password</c>, as skopeo's <c>--creds</c> takes it.</summary>
    public string Credentials => Username + ":" + Password;

    /// <summary>The running token server: its realm, its request log, refresh tokens.</summary>
    public TokenServer TokenServer
    {
        get
        {
            RequireRunning();
            return tokenServer!;
        }
    }

    /// <summary>The service name the registry announces and tokens carry as audience.</summary>
    public string Service => TokenServer.Options.Service;

    /// <summary>The certificate registry and token server share (with the CA and skopeo's certificate directory).</summary>
    public TestServerCertificate Certificate
    {
        get
        {
            RequireRunning();
            return certificate ?? throw new InvalidOperationException("this fixture serves plain HTTP");
        }
    }

    /// <summary>The directory with the CA for skopeo's <c>--cert-dir</c>/<c>--dest-cert-dir</c>.</summary>
    public string CertificateDirectory => Certificate.CertificateDirectory;

    /// <summary>A handler trusting only the test CA (a plain handler when the fixture serves HTTP).</summary>
    public HttpClientHandler CreateTrustingHandler()
    {
        RequireRunning();
        return certificate?.CreateTrustingHandler() ?? new HttpClientHandler();
    }

    /// <summary>Whether registry and token server speak HTTPS; true unless a derived fixture says otherwise.</summary>
    protected virtual bool UseTls => true;

    /// <summary>The token server's options for this fixture; <paramref name="password"/> belongs to <see cref="Username"/>.</summary>
    protected virtual TokenServerOptions CreateTokenServerOptions(string password) => new()
    {
        Users = new Dictionary<string, string> { [Username] = password },
        Grants =
        [
            TokenGrant.Repository(Username, PrivatePrefix + "*", "pull", "push", "delete"),
            TokenGrant.Repository(Username, PublicPrefix + "*", "pull", "push", "delete"),
            TokenGrant.Public(PublicPrefix + "*", "pull"),
            new TokenGrant(Username, "registry", "catalog", ["*"]),
        ],
    };

    /// <inheritdoc />
    protected override string? FindMissingPrerequisite() =>
        UseTls && ExternalTools.Find("openssl") is null ? TestRequirements.NotInstalled("openssl") : null;

    /// <inheritdoc />
    protected override async ValueTask<RegistryServerOptions> PrepareAsync(RegistryServerOptions options, CancellationToken cancellationToken)
    {
        files = new TempDirectory("kaniko-token-registry-");
        if (UseTls)
        {
            certificate = await TestCertificateAuthority.IssueServerCertificateAsync(files.Combine("tls"), cancellationToken).ConfigureAwait(false);
        }

        tokenServer = await TokenServer.StartAsync(CreateTokenServerOptions(password) with { Certificate = certificate }, cancellationToken)
            .ConfigureAwait(false);
        var bundle = files.Combine("token-signer.crt");
        await File.WriteAllTextAsync(bundle, tokenServer.CertificatePem, cancellationToken).ConfigureAwait(false);
        return options with
        {
            Tls = certificate is null ? null : new RegistryTlsOptions(certificate.CertificatePath, certificate.KeyPath, certificate.CaCertificatePath),
            Token = new RegistryTokenOptions(tokenServer.Realm, tokenServer.Options.Service, tokenServer.Options.Issuer, bundle),
        };
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeCoreAsync()
    {
        try
        {
            if (tokenServer is not null)
            {
                await tokenServer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            files?.Dispose();
        }
    }
}
