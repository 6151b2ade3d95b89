using System.Net;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

/// <summary>
/// Our authentication handler against the token-auth registry served over plain HTTP: a password travels to the token
/// server only when the registry is marked insecure.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EngineTokenAuthPlainHttpTests(PlainHttpTokenAuthRegistryFixture registry) : IClassFixture<PlainHttpTokenAuthRegistryFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_the_insecure_mark_a_password_gets_one_token_to_push_and_pull_a_blob()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-http-" + Guid.NewGuid().ToString("N")[..8];
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = Client(EngineAuth.Keychain(dockerConfig), new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { registry.Host } });
        var blob = Encoding.UTF8.GetBytes("pushed through a bearer token over http " + repository);

        var status = await EngineAuth.UploadBlobAsync(client, registry.BaseAddress, repository, blob, Cancellation);
        using var fetched = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/blobs/{EngineAuth.DigestOf(blob)}", RegistryScope.RepositoryPush(repository)),
            Cancellation);

        Assert.Equal("http", registry.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(blob, await fetched.Content.ReadAsByteArrayAsync(Cancellation));
        // One token for the three requests: the scope set did not change.
        var token = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal(("GET", "basic", registry.Username, registry.Service), (token.Method, token.GrantType, token.Account, token.Service));
        Assert.Equal([$"repository:{repository}:pull,push"], token.Scopes);
    }

    [Fact]
    public async Task Without_the_insecure_mark_no_password_leaves_over_plain_http()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-http-" + Guid.NewGuid().ToString("N")[..8];
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = Client(EngineAuth.Keychain(dockerConfig), options: null);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/tags/list", RegistryScope.RepositoryPull(repository)), Cancellation));

        Assert.Equal(DiagnosticCodes.InsecureCredentialTransport, error.Code);
        Assert.Empty(registry.TokenServer.RequestsFor(repository));
        EngineAuth.AssertNoSecret(error, registry.Password);
    }

    private static HttpClient Client(IKeychain keychain, RegistryAuthOptions? options) =>
        new(new AuthenticatingHandler(keychain, options) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
}
