using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.IntegrationTests.Registry.Auth;
using RegistryOptions = Kaniko.Engine.Registry.RegistryOptions;

namespace Kaniko.IntegrationTests.Registry;

/// <summary>
/// The registry client against the real registry serving TLS with a self-signed certificate and htpasswd Basic
/// auth: the per-registry CA (<c>--registry-certificate</c>), skip-verify, and the authentication handshake through
/// whole pushes and pulls.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RegistryTlsIntegrationTests(HtpasswdTlsRegistry registry) : IClassFixture<HtpasswdTlsRegistry>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    // The fixture keeps its self-signed certificate (also its own CA) next to its scratch folder.
    private string CertificatePath => Path.GetFullPath(Path.Combine(registry.Scratch, "..", "cert.pem"));

    private IKeychain Keychain()
    {
        var directory = Path.Combine(registry.Scratch, "client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "config.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{HtpasswdTlsRegistry.Username}:{HtpasswdTlsRegistry.Password}"));
        File.WriteAllText(file, "{\"auths\":{\"" + registry.Host + "\":{\"auth\":\"" + auth + "\"}}}");
        return new DockerConfigKeychain(file);
    }

    [Fact]
    public async Task The_registry_CA_lets_an_authenticated_push_and_pull_through()
    {
        registry.RequireAvailable();
        var options = new RegistryOptions { RegistryCertificates = new Dictionary<string, string> { [registry.Host] = CertificatePath } };
        using var client = new RegistryClient(options, Keychain());
        var image = await TestImage.CreateAsync("over tls\n", cancellationToken: Cancellation);
        var target = ImageReference.Parse($"{registry.Host}/tls/app:1");

        await new ImagePusher(client).PushAsync(image, [target], Cancellation);
        var pulled = await new ImageFetcher(client).OpenAsync(target, cancellationToken: Cancellation);

        Assert.Equal(image.Manifest.Digest, pulled.Digest);
        await using var tar = await pulled.Layers[0].OpenUncompressedAsync(Cancellation);
        Assert.Equal(image.Layers[0].DiffId, await Digest.ComputeAsync(tar, cancellationToken: Cancellation));
    }

    [Fact]
    public async Task Without_the_CA_the_certificate_is_refused()
    {
        registry.RequireAvailable();
        using var client = new RegistryClient(new RegistryOptions { PullRetries = 0 }, Keychain());

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse($"{registry.Host}/tls/app:1"), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains(registry.Host, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Skip_verify_for_one_registry_accepts_its_certificate()
    {
        registry.RequireAvailable();
        using var client = new RegistryClient(new RegistryOptions { SkipTlsVerifyRegistries = new HashSet<string> { registry.Host } }, Keychain());

        var baseUri = await client.PingAsync(registry.Host, RegistryAccess.Pull, Cancellation);

        Assert.Equal("https", baseUri.Scheme);
    }

    [Fact]
    public async Task An_insecure_mark_keeps_https_when_the_registry_speaks_it()
    {
        registry.RequireAvailable();
        var options = new RegistryOptions
        {
            InsecureRegistries = new HashSet<string> { registry.Host },
            RegistryCertificates = new Dictionary<string, string> { [registry.Host] = CertificatePath },
        };
        using var client = new RegistryClient(options, Keychain());

        var baseUri = await client.PingAsync(registry.Host, RegistryAccess.Push, Cancellation);

        Assert.Equal("https", baseUri.Scheme);
    }

    [Fact]
    public async Task An_unreadable_CA_file_is_reported()
    {
        registry.RequireAvailable();
        var missing = Path.Combine(registry.Scratch, "no-such-ca.pem");
        using var client = new RegistryClient(new RegistryOptions { RegistryCertificates = new Dictionary<string, string> { [registry.Host] = missing } }, Keychain());

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.PingAsync(registry.Host, RegistryAccess.Pull, Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryCertificateUnreadable, error.Code);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
