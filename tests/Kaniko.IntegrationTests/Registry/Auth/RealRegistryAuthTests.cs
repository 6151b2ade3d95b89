using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>The authentication handler against the real distribution registry with htpasswd Basic auth over TLS.</summary>
[Trait("Category", "Integration")]
public sealed class RealRegistryAuthTests(HtpasswdTlsRegistry registry) : IClassFixture<HtpasswdTlsRegistry>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Credentials_from_a_docker_config_file_open_the_registry_and_a_streamed_upload_goes_through()
    {
        registry.RequireAvailable();
        var config = WriteConfig("auths", Auths("https://" + registry.Host, new JsonObject { ["auth"] = Base64($"{HtpasswdTlsRegistry.Username}:{HtpasswdTlsRegistry.Password}") }));
        using var client = Client(new DockerConfigKeychain(config));
        var scope = RegistryScope.RepositoryPush("auth-test/app");

        // Start an upload: the first request meets the challenge and is replayed with Basic credentials.
        var start = Request(HttpMethod.Post, "/v2/auth-test/app/blobs/uploads/", scope);
        using var started = await client.SendAsync(start, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);

        // Finish it with a body that can be read only once: the handler knows the challenge now and sends it authorized.
        var blob = Encoding.UTF8.GetBytes("layer bytes that are streamed exactly once");
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        var location = new UriBuilder(new Uri(new Uri($"https://{registry.Host}"), started.Headers.Location!));
        location.Query = (location.Query.Length > 1 ? location.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        var put = new HttpRequestMessage(HttpMethod.Put, location.Uri) { Content = new StreamContent(new OnceStream(blob)) };
        put.Content.Headers.ContentType = new("application/octet-stream");
        AuthenticatingHandler.SetScopes(put, scope);
        using var finished = await client.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);

        using var fetched = await client.SendAsync(Request(HttpMethod.Get, $"/v2/auth-test/app/blobs/{digest}", scope), Ct);
        Assert.Equal(blob, await fetched.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Credentials_from_a_credential_helper_open_the_registry()
    {
        registry.RequireAvailable();
        var bin = Path.Combine(registry.Scratch, "bin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(bin);
        var helper = Path.Combine(bin, "docker-credential-kanikoit");
        await File.WriteAllTextAsync(helper, $$"""
            #!/bin/bash
            read -r server
            if [ "$1" = get ] && [ "$server" = "{{registry.Host}}" ]; then
              printf '{"ServerURL":"%s","Username":"{{HtpasswdTlsRegistry.Username}}","Secret":"{{HtpasswdTlsRegistry.Password}}"}' "$server"
            else
              echo "credentials not found in native keychain"; exit 1
            fi
            """.ReplaceLineEndings("\n"), Ct);
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the credential helper is a bash script");
        }
        else
        {
            File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        var path = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        var config = WriteConfig("helper", """{"credsStore":"kanikoit"}""");
        var keychain = new DockerConfigKeychain(config, (name, file) => new CredentialHelperClient(name, file, getVariable: v => v == "PATH" ? path : Environment.GetEnvironmentVariable(v)));
        using var client = Client(keychain);

        using var response = await client.SendAsync(Request(HttpMethod.Get, "/v2/_catalog", RegistryScope.Catalog), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_credentials_the_error_names_the_repository_and_the_config_file()
    {
        registry.RequireAvailable();
        var config = Path.Combine(registry.Scratch, "absent", "config.json");
        using var client = Client(new DockerConfigKeychain(config));

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            client.SendAsync(Request(HttpMethod.Get, "/v2/foo/tags/list", RegistryScope.RepositoryPull("foo")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Equal($"authentication required for {registry.Host}/foo: no credentials found in {config}; run docker login or set DOCKER_CONFIG", error.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_rejected_without_being_printed()
    {
        registry.RequireAvailable();
        const string wrong = "wrong-8e21d7c0-password";
        var config = WriteConfig("wrong", Auths(registry.Host, new JsonObject { ["username"] = HtpasswdTlsRegistry.Username, ["password"] = wrong }));
        using var client = Client(new DockerConfigKeychain(config));

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            client.SendAsync(Request(HttpMethod.Get, "/v2/foo/tags/list", RegistryScope.RepositoryPull("foo")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        Assert.Contains(config, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(HtpasswdTlsRegistry.Password, error.ToString(), StringComparison.Ordinal);
    }

    private HttpClient Client(IKeychain keychain) =>
        new(new AuthenticatingHandler(keychain) { InnerHandler = registry.CreateTransport() });

    private HttpRequestMessage Request(HttpMethod method, string path, RegistryScope scope)
    {
        var request = new HttpRequestMessage(method, $"https://{registry.Host}{path}");
        AuthenticatingHandler.SetScopes(request, scope);
        return request;
    }

    private string WriteConfig(string name, string json)
    {
        var directory = Path.Combine(registry.Scratch, name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, "config.json");
        File.WriteAllText(file, json);
        return file;
    }

    private static string Auths(string key, JsonObject entry) =>
        new JsonObject { ["auths"] = new JsonObject { [key] = entry } }.ToJsonString();

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>A body that can be read once, front to back, as a network stream.</summary>
    private sealed class OnceStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
