using System.Security.Cryptography;
using Kaniko.Testing.TokenAuth;

namespace Kaniko.Testing;

/// <summary>
/// A registry that requires bearer tokens from a <see cref="TokenAuth.TokenServer"/> (the Docker Hub flow): plain
/// HTTP on loopback, <c>auth.token</c> pointing at the token server, whose signing certificate is the registry's
/// <c>rootcertbundle</c>. By default <see cref="Username"/> may pull, push and delete under <see cref="PrivatePrefix"/>
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

    /// <summary>A token-auth registry with the default users and grants.</summary>
    public TokenAuthRegistryFixture()
        : base(RegistryOptions.Default)
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
    protected override async ValueTask<RegistryOptions> PrepareAsync(RegistryOptions options, CancellationToken cancellationToken)
    {
        files = new TempDirectory("kaniko-token-registry-");
        tokenServer = await TokenServer.StartAsync(CreateTokenServerOptions(password), cancellationToken).ConfigureAwait(false);
        var bundle = files.Combine("token-signer.crt");
        await File.WriteAllTextAsync(bundle, tokenServer.CertificatePem, cancellationToken).ConfigureAwait(false);
        return options with
        {
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
