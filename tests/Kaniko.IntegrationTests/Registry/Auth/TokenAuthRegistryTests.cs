using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Web;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>The Bearer flow against the real distribution registry configured for token authentication.</summary>
[Trait("Category", "Integration")]
public sealed class TokenAuthRegistryTests(TokenAuthRegistry registry) : IClassFixture<TokenAuthRegistry>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_password_gets_a_token_that_lets_a_blob_be_pushed_and_pulled()
    {
        registry.RequireAvailable();
        using var client = Client(RegistryCredential.FromPassword(TokenAuthRegistry.Username, TokenAuthRegistry.Password, "test"));
        var repository = "team/app-" + Guid.NewGuid().ToString("N")[..8];
        var scope = RegistryScope.RepositoryPush(repository);
        var blob = Encoding.UTF8.GetBytes("pushed through a bearer token " + repository);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));

        using var started = await client.SendAsync(Request(HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", scope), Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = new UriBuilder(new Uri(new Uri($"http://{registry.Host}"), started.Headers.Location!));
        location.Query = (location.Query.Length > 1 ? location.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        var put = new HttpRequestMessage(HttpMethod.Put, location.Uri) { Content = new ByteArrayContent(blob) };
        AuthenticatingHandler.SetScopes(put, scope);
        using var finished = await client.SendAsync(put, Ct);
        Assert.Equal(HttpStatusCode.Created, finished.StatusCode);
        using var fetched = await client.SendAsync(Request(HttpMethod.Get, $"/v2/{repository}/blobs/{digest}", scope), Ct);
        Assert.Equal(blob, await fetched.Content.ReadAsByteArrayAsync(Ct));

        // One token for the three requests: the scope set did not change.
        var tokenRequests = registry.TokenServer.Requests.Where(r => r.PathAndQuery.Contains(Uri.EscapeDataString(repository), StringComparison.Ordinal)).ToList();
        var token = Assert.Single(tokenRequests);
        Assert.Equal("GET", token.Method);
        var query = HttpUtility.ParseQueryString(new Uri("http://x" + token.PathAndQuery).Query);
        Assert.Equal(TokenAuthRegistry.Service, query["service"]);
        Assert.Equal($"repository:{repository}:pull,push", query["scope"]);
    }

    [Fact]
    public async Task An_identity_token_is_exchanged_with_the_oauth2_form()
    {
        registry.RequireAvailable();
        using var client = Client(RegistryCredential.FromIdentityToken(TokenAuthRegistry.RefreshToken, source: "test"));
        var repository = "team/oauth-" + Guid.NewGuid().ToString("N")[..8];

        using var response = await client.SendAsync(Request(HttpMethod.Get, $"/v2/{repository}/tags/list", RegistryScope.RepositoryPull(repository)), Ct);

        // Authenticated and authorized: the registry now answers for the repository itself, which does not exist.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(registry.TokenServer.Requests, r => r.Method == "POST" && r.Body.Contains(Uri.EscapeDataString(repository), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_tokens_open_public_repositories_only()
    {
        registry.RequireAvailable();
        using var client = Client(RegistryCredential.Anonymous);

        using var open = await client.SendAsync(Request(HttpMethod.Get, "/v2/public/base/tags/list", RegistryScope.RepositoryPull("public/base")), Ct);
        Assert.Equal(HttpStatusCode.NotFound, open.StatusCode);

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            client.SendAsync(Request(HttpMethod.Get, "/v2/private/app/tags/list", RegistryScope.RepositoryPull("private/app")), Ct));
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Equal($"authentication required for {registry.Host}/private/app: no credentials found in test keychain; run docker login or set DOCKER_CONFIG", error.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_token_server_without_being_printed()
    {
        registry.RequireAvailable();
        const string wrong = "wrong-19e3c5a7-password";
        using var client = Client(RegistryCredential.FromPassword(TokenAuthRegistry.Username, wrong, "/etc/test/config.json"));

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            client.SendAsync(Request(HttpMethod.Get, "/v2/team/app/tags/list", RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        Assert.StartsWith($"authentication to {registry.Host}/team/app failed with the credentials from /etc/test/config.json: token server ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_insecure_mark_no_password_leaves_over_plain_http()
    {
        registry.RequireAvailable();
        var before = registry.TokenServer.Requests.Count(r => r.Authorization is not null);
        using var client = new HttpClient(new AuthenticatingHandler(new FixedAnswer(RegistryCredential.FromPassword(TokenAuthRegistry.Username, TokenAuthRegistry.Password)))
        {
            InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false },
        });

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            client.SendAsync(Request(HttpMethod.Get, "/v2/team/app/tags/list", RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.InsecureCredentialTransport, error.Code);
        Assert.Equal(before, registry.TokenServer.Requests.Count(r => r.Authorization is not null));
    }

    private HttpClient Client(RegistryCredential credential) =>
        new(new AuthenticatingHandler(new FixedAnswer(credential), new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { registry.Host } })
        {
            InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false },
        });

    private HttpRequestMessage Request(HttpMethod method, string path, RegistryScope scope)
    {
        var request = new HttpRequestMessage(method, $"http://{registry.Host}{path}");
        AuthenticatingHandler.SetScopes(request, scope);
        return request;
    }

    private sealed class FixedAnswer(RegistryCredential credential) : IKeychain
    {
        public string Description => "test keychain";

        public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default) => ValueTask.FromResult(credential);
    }
}
