using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

[Trait("Category", "Integration")]
[Collection(TlsBasicAuthRegistryCollection.Name)]
public sealed class EngineBasicAuthRealRegistryTests(TlsBasicAuthRegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Basic_credentials_from_docker_config_read_what_skopeo_pushed_over_tls_with_the_test_ca()
    {
        using var work = new TempDirectory();
        var repository = "engine/basic-" + Guid.NewGuid().ToString("N")[..8];
        var layout = await EngineAuth.PushBusyboxAsync($"{registry.Host}/{repository}:latest", registry.Credentials, registry.CertificateDirectory, Cancellation);
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        using var manifest = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/manifests/latest", RegistryScope.RepositoryPull(repository), EngineAuth.OciManifest),
            Cancellation);
        var bytes = await manifest.Content.ReadAsByteArrayAsync(Cancellation);

        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(layout.ManifestDigest, EngineAuth.DigestOf(bytes));
        Assert.Equal(layout.ManifestDigest, manifest.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task Basic_credentials_push_a_read_once_blob_that_independent_curl_can_read()
    {
        using var work = new TempDirectory();
        var repository = "engine/upload-" + Guid.NewGuid().ToString("N")[..8];
        // A key with scheme and path, as `docker login https://host/` writes it, still matches the host.
        var dockerConfig = EngineAuth.WriteDockerConfig(work, "https://" + registry.Host + "/v2/", EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);
        var blob = Encoding.UTF8.GetBytes("blob pushed by our handler " + repository);

        var status = await EngineAuth.UploadBlobAsync(client, registry.BaseAddress, repository, blob, Cancellation, readOnce: true);
        var curl = TestRequirements.Executable("curl");
        var fetched = await ExternalTools.RunCheckedAsync(
            curl, ["-sSf", "--cacert", registry.CaCertificatePath, "-u", registry.Credentials,
                   new Uri(registry.BaseAddress, $"v2/{repository}/blobs/{EngineAuth.DigestOf(blob)}").AbsoluteUri],
            cancellationToken: Cancellation);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(Encoding.UTF8.GetString(blob), fetched.StandardOutput);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_a_message_that_holds_no_secret()
    {
        using var work = new TempDirectory();
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        // The separate username/password form of an auths entry (the other tests use the base64 "auth" form).
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, new JsonObject { ["username"] = registry.Username, ["password"] = wrong });
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, "v2/engine/any/tags/list", RegistryScope.RepositoryPull("engine/any")), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        Assert.Contains(Path.Combine(dockerConfig, "config.json"), error.Message, StringComparison.Ordinal);
        EngineAuth.AssertNoSecret(error, wrong, registry.Password, Convert.ToBase64String(Encoding.UTF8.GetBytes(registry.Username + ":" + wrong)));
    }

    [Fact]
    public async Task No_credentials_fail_with_authentication_required_naming_the_repository_and_the_config_file()
    {
        using var work = new TempDirectory();
        var dockerConfig = work.Combine("no-config-here");
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, "v2/engine/any/tags/list", RegistryScope.RepositoryPull("engine/any")), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Equal(
            $"authentication required for {registry.Host}/engine/any: no credentials found in {Path.Combine(dockerConfig, "config.json")}; run docker login or set DOCKER_CONFIG",
            error.Message);
        EngineAuth.AssertNoSecret(error, registry.Password);
    }

    [Fact]
    public async Task Credentials_from_a_credential_helper_open_the_registry()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the credential helper is a bash script");
            return;
        }

        using var work = new TempDirectory();
        var bin = work.Combine("bin");
        Directory.CreateDirectory(bin);
        var helper = Path.Combine(bin, "docker-credential-kanikoit");
        // Answers `get` for this registry only, as docker-credential-* helpers do: the server URL on stdin, JSON out.
        await File.WriteAllTextAsync(helper, $$"""
            #!/bin/bash
            read -r server
            if [ "$1" = get ] && [ "$server" = "{{registry.Host}}" ]; then
              printf '{"ServerURL":"%s","Username":"{{registry.Username}}","Secret":"{{registry.Password}}"}' "$server"
            else
              echo "credentials not found in native keychain"; exit 1
            fi
            """.ReplaceLineEndings("\n"), Cancellation);
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var dockerConfig = EngineAuth.WriteDockerConfig(work, new JsonObject { ["credsStore"] = "kanikoit" });
        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        var keychain = DockerConfigKeychain.FromEnvironment(name => name switch
        {
            "DOCKER_CONFIG" => dockerConfig,
            "PATH" => path,
            _ => Environment.GetEnvironmentVariable(name),
        });
        using var client = EngineAuth.Client(keychain, registry.Certificate);

        using var response = await client.SendAsync(EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, "v2/_catalog", RegistryScope.Catalog), Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_system_trust_store_does_not_replace_the_test_ca()
    {
        using var work = new TempDirectory();
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = new HttpClient(new AuthenticatingHandler(EngineAuth.Keychain(dockerConfig)) { InnerHandler = new HttpClientHandler { AllowAutoRedirect = false } });

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, "v2/", RegistryScope.Catalog), Cancellation));

        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        EngineAuth.AssertNoSecret(error, registry.Password);
    }
}
