using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
public sealed class TlsBasicAuthRegistryTests(TlsBasicAuthRegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_v2_is_challenged_with_basic_over_https()
    {
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var response = await client.GetAsync(new Uri(registry.BaseAddress, "v2/"), Cancellation);

        Assert.Equal("https", registry.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains(TlsBasicAuthRegistryFixture.Realm, challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Right_credentials_open_v2_and_a_wrong_password_does_not()
    {
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var right = await GetV2Async(client, registry.Username, registry.Password);
        using var wrong = await GetV2Async(client, registry.Username, registry.Password + "x");

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task The_system_trust_store_alone_rejects_the_registry_certificate()
    {
        using var client = new HttpClient();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(registry.BaseAddress, "v2/"), Cancellation));

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
    }

    [Fact]
    public async Task Another_ca_does_not_validate_the_registry_certificate()
    {
        using var other = new TempDirectory();
        // A self-signed server certificate is a CA of its own but did not sign the registry's certificate.
        var foreign = await TestCertificateAuthority.IssueServerCertificateAsync(other.Path, Cancellation);
        using var handler = CustomCaTrust.CreateHandler(foreign.CertificatePath);
        using var client = new HttpClient(handler);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri(registry.BaseAddress, "v2/"), Cancellation));
    }

    [Fact]
    public void Certificate_is_signed_by_a_ca_root_and_names_loopback()
    {
        using var ca = X509CertificateLoader.LoadCertificateFromFile(registry.CaCertificatePath);
        using var server = X509CertificateLoader.LoadCertificateFromFile(registry.Options.Tls!.CertificatePath);

        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.CertificateAuthority);
        Assert.Equal(ca.Subject, server.Issuer);
        var names = server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains(IPAddress.Loopback, names.EnumerateIPAddresses());
        Assert.Contains("localhost", names.EnumerateDnsNames());
        Assert.Equal(["ca.crt"], Directory.GetFiles(registry.CertificateDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Curl_with_the_ca_and_credentials_lists_the_catalog()
    {
        var curl = TestRequirements.Executable("curl");

        var ok = await ExternalTools.RunAsync(
            curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", registry.CaCertificatePath,
                   "-u", registry.Credentials, new Uri(registry.BaseAddress, "v2/_catalog").AbsoluteUri],
            cancellationToken: Cancellation);
        var anonymous = await ExternalTools.RunAsync(
            curl, ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", registry.CaCertificatePath,
                   new Uri(registry.BaseAddress, "v2/_catalog").AbsoluteUri],
            cancellationToken: Cancellation);

        Assert.Equal("200", ok.StandardOutput);
        Assert.Equal("401", anonymous.StandardOutput);
    }

    [Fact]
    public async Task Skopeo_pushes_busybox_with_credentials_and_the_cert_dir()
    {
        var layout = await BaseImages.BusyboxLayoutAsync(Cancellation);
        var reference = registry.Host + "/fixtures/tls-push:latest";

        await Skopeo.RunCheckedAsync(
            ["copy", "--quiet", "--dest-creds", registry.Credentials, "--dest-cert-dir", registry.CertificateDirectory,
             layout.TransportReference, "docker://" + reference],
            Cancellation);
        var inspect = await Skopeo.RunCheckedAsync(
            ["inspect", "--creds", registry.Credentials, "--cert-dir", registry.CertificateDirectory, "docker://" + reference],
            Cancellation);

        using var json = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(layout.ManifestDigest, json.RootElement.GetProperty("Digest").GetString());
    }

    [Fact]
    public async Task Skopeo_without_credentials_is_unauthorized()
    {
        var layout = await BaseImages.BusyboxLayoutAsync(Cancellation);

        var result = await Skopeo.RunAsync(
            ["copy", "--quiet", "--dest-no-creds", "--dest-cert-dir", registry.CertificateDirectory,
             layout.TransportReference, "docker://" + registry.Host + "/fixtures/tls-anonymous:latest"],
            Cancellation);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Skopeo_with_a_wrong_password_is_unauthorized()
    {
        var result = await Skopeo.RunAsync(
            ["inspect", "--creds", registry.Username + ":wrong", "--cert-dir", registry.CertificateDirectory,
             "docker://" + registry.Host + "/fixtures/tls-push:latest"],
            Cancellation);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    private Task<HttpResponseMessage> GetV2Async(HttpClient client, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.BaseAddress, "v2/"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        return client.SendAsync(request, Cancellation);
    }
}
