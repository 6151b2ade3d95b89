namespace Kaniko.Testing;

/// <summary>
/// A registry served over HTTPS with a certificate from the test CA (<see cref="TestCertificateAuthority"/>) that
/// requires HTTP Basic credentials from an htpasswd file: the setup of a private registry behind a login.
/// </summary>
public class TlsBasicAuthRegistryFixture : AuthenticatedRegistryFixture
{
    /// <summary>The realm the registry names in its <c>WWW-Authenticate: Basic</c> challenge.</summary>
    public const string Realm = "kaniko-test-basic-realm";

    /// <summary>A TLS registry with one htpasswd user, <see cref="AuthenticatedRegistryFixture.Username"/>.</summary>
    public TlsBasicAuthRegistryFixture()
        : base(RegistryServerOptions.Default)
    {
    }

    /// <inheritdoc />
    protected override string? FindMissingPrerequisite() =>
        ExternalTools.Find("openssl") is null ? TestRequirements.NotInstalled("openssl")
        : ExternalTools.Find("htpasswd") is null ? TestRequirements.NotInstalled(Htpasswd.Package)
        : null;

    /// <inheritdoc />
    protected override async ValueTask<RegistryServerOptions> PrepareAsync(RegistryServerOptions options, CancellationToken cancellationToken)
    {
        var files = CreateFilesDirectory("kaniko-tls-registry-");
        var certificate = await IssueCertificateAsync(cancellationToken).ConfigureAwait(false);
        var htpasswdPath = files.Combine("htpasswd");
        await Htpasswd.WriteAsync(htpasswdPath, new Dictionary<string, string> { [Username] = UserPassword }, cancellationToken)
            .ConfigureAwait(false);
        return options with
        {
            Tls = TlsOptions(certificate),
            Htpasswd = new RegistryHtpasswdOptions(Realm, htpasswdPath),
        };
    }
}
