using Kaniko.Testing.TokenAuth;

namespace Kaniko.Testing;

/// <summary>
/// A registry that requires bearer tokens from a <see cref="TokenAuth.TokenServer"/> (the Docker Hub flow): registry
/// and token server both serve HTTPS on loopback with one certificate from the test CA (plain HTTP when
/// <see cref="UseTls"/> is overridden to false), <c>auth.token</c> points at the token server, whose signing
/// certificate is the registry's <c>rootcertbundle</c>. By default <see cref="AuthenticatedRegistryFixture.Username"/> may pull, push and delete under <see cref="PrivatePrefix"/>
/// and <see cref="PublicPrefix"/> and list the catalog; everyone, anonymous callers included, may pull under
/// <see cref="PublicPrefix"/>. Derived fixtures change that by overriding <see cref="CreateTokenServerOptions"/>.
/// </summary>
public class TokenAuthRegistryFixture : AuthenticatedRegistryFixture
{
    /// <summary>Repositories only <see cref="AuthenticatedRegistryFixture.Username"/> may use.</summary>
    public const string PrivatePrefix = "private/";

    /// <summary>Repositories everyone may pull and <see cref="AuthenticatedRegistryFixture.Username"/> may push.</summary>
    public const string PublicPrefix = "public/";

    private TokenServer? _tokenServer;

    /// <summary>A token-auth registry with the default users and grants.</summary>
    public TokenAuthRegistryFixture()
        : base(RegistryServerOptions.Default)
    {
    }

    /// <summary>The running token server: its realm, its request log, refresh tokens.</summary>
    public TokenServer TokenServer
    {
        get
        {
            RequireRunning();
            return _tokenServer!;
        }
    }

    /// <summary>The service name the registry announces and tokens carry as audience.</summary>
    public string Service => TokenServer.Options.Service;

    /// <summary>Whether registry and token server speak HTTPS; true unless a derived fixture says otherwise.</summary>
    protected virtual bool UseTls => true;

    /// <summary>The token server's options for this fixture; <paramref name="password"/> belongs to <see cref="AuthenticatedRegistryFixture.Username"/>.</summary>
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
        var files = CreateFilesDirectory("kaniko-token-registry-");
        var certificate = UseTls ? await IssueCertificateAsync(cancellationToken).ConfigureAwait(false) : null;
        _tokenServer = await TokenServer.StartAsync(CreateTokenServerOptions(UserPassword) with { Certificate = certificate }, cancellationToken)
            .ConfigureAwait(false);
        var bundle = files.Combine("token-signer.crt");
        await File.WriteAllTextAsync(bundle, _tokenServer.CertificatePem, cancellationToken).ConfigureAwait(false);
        return options with
        {
            Tls = certificate is null ? null : TlsOptions(certificate),
            Token = new RegistryTokenOptions(_tokenServer.Realm, _tokenServer.Options.Service, _tokenServer.Options.Issuer, bundle),
        };
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeCoreAsync()
    {
        try
        {
            if (_tokenServer is not null)
            {
                await _tokenServer.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await base.DisposeCoreAsync().ConfigureAwait(false);
        }
    }
}
