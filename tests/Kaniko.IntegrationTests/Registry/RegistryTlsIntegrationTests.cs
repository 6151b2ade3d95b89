using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.IntegrationTests.Fixtures;
using Kaniko.Testing;
using RegistryOptions = Kaniko.Engine.Registry.RegistryOptions;

namespace Kaniko.IntegrationTests.Registry;

/// <summary>
/// The registry client against the real registry serving TLS with a certificate of the test CA and htpasswd Basic
/// auth: the per-registry CA (<c>--registry-certificate</c>), skip-verify, and the authentication handshake through
/// whole pushes and pulls.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
public sealed class RegistryTlsIntegrationTests(TlsBasicAuthRegistryFixture registry) : IDisposable
{
    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>The registry's credentials in a docker config.json of this test's own.</summary>
    private IKeychain Keychain() =>
        EngineAuth.Keychain(EngineAuth.WriteDockerConfig(_work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password)));

    private ImageReference Reference() => ImageReference.Parse($"{registry.Host}/tls/app-{Guid.NewGuid().ToString("N")[..8]}:1");

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task The_registry_CA_lets_an_authenticated_push_and_pull_through()
    {
        var options = new RegistryOptions { RegistryCertificates = new Dictionary<string, string> { [registry.Host] = registry.CaCertificatePath } };
        using var client = new RegistryClient(options, Keychain());
        var image = await TestImage.CreateAsync("over tls\n", cancellationToken: Cancellation);
        var target = Reference();

        await new ImagePusher(client).PushAsync(image, [target], Cancellation);
        var pulled = await new ImageFetcher(client).OpenAsync(target, cancellationToken: Cancellation);

        Assert.Equal(image.Manifest.Digest, pulled.Digest);
        await using var tar = await pulled.Layers[0].OpenUncompressedAsync(Cancellation);
        Assert.Equal(image.Layers[0].DiffId, await Digest.ComputeAsync(tar, cancellationToken: Cancellation));
    }

    [Fact]
    public async Task Without_the_CA_the_certificate_is_refused()
    {
        using var client = new RegistryClient(new RegistryOptions { PullRetries = 0 }, Keychain());

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Reference(), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains(registry.Host, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skip_verify_for_one_registry_accepts_its_certificate()
    {
        using var client = new RegistryClient(new RegistryOptions { SkipTlsVerifyRegistries = new HashSet<string> { registry.Host } }, Keychain());

        var baseUri = await client.PingAsync(registry.Host, RegistryAccess.Pull, Cancellation);

        Assert.Equal("https", baseUri.Scheme);
    }

    [Fact]
    public async Task An_insecure_mark_keeps_https_when_the_registry_speaks_it()
    {
        var options = new RegistryOptions
        {
            InsecureRegistries = new HashSet<string> { registry.Host },
            RegistryCertificates = new Dictionary<string, string> { [registry.Host] = registry.CaCertificatePath },
        };
        using var client = new RegistryClient(options, Keychain());

        var baseUri = await client.PingAsync(registry.Host, RegistryAccess.Push, Cancellation);

        Assert.Equal("https", baseUri.Scheme);
    }

    [Fact]
    public async Task An_unreadable_CA_file_is_reported()
    {
        var missing = _work.Combine("no-such-ca.pem");
        using var client = new RegistryClient(new RegistryOptions { RegistryCertificates = new Dictionary<string, string> { [registry.Host] = missing } }, Keychain());

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.PingAsync(registry.Host, RegistryAccess.Pull, Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryCertificateUnreadable, error.Code);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
