using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kaniko.Testing;
using Kaniko.Testing.TokenAuth;

namespace Kaniko.IntegrationTests.Fixtures;

[Trait("Category", "Integration")]
[Collection(TokenAuthRegistryCollection.Name)]
public sealed partial class TokenAuthRegistryTests(TokenAuthRegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_v2_is_challenged_with_the_token_realm_and_service()
    {
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var response = await client.GetAsync(new Uri(registry.BaseAddress, "v2/"), Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"realm=\"{registry.TokenServer.Realm.AbsoluteUri}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains($"service=\"{registry.Service}\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Equal(("https", "127.0.0.1"), (registry.TokenServer.Realm.Scheme, registry.TokenServer.Realm.Host));
        Assert.Equal("https", registry.BaseAddress.Scheme);
    }

    [Fact]
    public async Task A_token_for_the_user_opens_a_private_repository_and_carries_the_granted_access()
    {
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        var token = await FetchTokenAsync(client, $"repository:{repository}:pull,push", registry.Credentials);
        using var authorized = await GetTagsAsync(client, repository, token);
        using var anonymous = await GetTagsAsync(client, repository, token: null);

        // 404 NAME_UNKNOWN: past authorization, the repository just does not exist yet.
        Assert.Equal(HttpStatusCode.NotFound, authorized.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var (header, claims) = Decode(token);
        Assert.Equal("ES256", header.GetProperty("alg").GetString());
        Assert.Equal(registry.TokenServer.KeyId, header.GetProperty("kid").GetString());
        Assert.Matches(KeyIdShape(), registry.TokenServer.KeyId);
        Assert.Equal(registry.Service, claims.GetProperty("aud").GetString());
        Assert.Equal(registry.Username, claims.GetProperty("sub").GetString());
        var access = Assert.Single(claims.GetProperty("access").EnumerateArray());
        Assert.Equal(repository, access.GetProperty("name").GetString());
        Assert.Equal(["pull", "push"], access.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        var record = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal(("GET", "basic", registry.Username, 200), (record.Method, record.GrantType, record.Account, record.StatusCode));
    }

    [Fact]
    public async Task An_anonymous_token_holds_no_access_to_a_private_repository()
    {
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        var token = await FetchTokenAsync(client, $"repository:{repository}:pull", credentials: null);
        using var response = await GetTagsAsync(client, repository, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("insufficient_scope", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Empty(Decode(token).Claims.GetProperty("access").EnumerateArray());
        var record = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal(("anonymous", (string?)null), (record.GrantType, record.Account));
        Assert.Empty(record.GrantedAccess);
    }

    [Fact]
    public async Task A_wrong_password_gets_401_from_the_token_server_and_is_logged_without_it()
    {
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());
        var wrongPassword = "not-" + registry.Password;

        using var response = await client.SendAsync(TokenRequest($"repository:{repository}:pull", registry.Username + ":" + wrongPassword), Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var record = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal((401, (string?)null, registry.Username), (record.StatusCode, record.Account, record.ClaimedAccount));
        Assert.DoesNotContain(wrongPassword, record.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Password_grant_with_offline_access_returns_a_refresh_token_that_later_grants_access()
    {
        var repository = Unique(TokenAuthRegistryFixture.PublicPrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var login = await PostFormAsync(client, new()
        {
            ["grant_type"] = "password", ["username"] = registry.Username, ["password"] = registry.Password,
            ["service"] = registry.Service, ["client_id"] = "kaniko-tests", ["access_type"] = "offline",
            ["scope"] = $"repository:{repository}:pull",
        });
        var refreshToken = login.RootElement.GetProperty("refresh_token").GetString()!;
        using var refreshed = await PostFormAsync(client, new()
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["service"] = registry.Service,
            ["client_id"] = "kaniko-tests", ["scope"] = $"repository:{repository}:pull repository:{repository}:push",
        });
        using var unknown = await client.PostAsync(
            registry.TokenServer.Realm,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = "rt-unknown", ["service"] = registry.Service }),
            Cancellation);

        var access = Decode(refreshed.RootElement.GetProperty("access_token").GetString()!).Claims.GetProperty("access");
        Assert.Equal(["pull", "push"], Assert.Single(access.EnumerateArray()).GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        var records = registry.TokenServer.RequestsFor(repository);
        Assert.Equal(["password", "refresh_token"], records.Select(r => r.GrantType));
        Assert.True(records[0].RefreshTokenIssued);
        Assert.Equal([$"repository:{repository}:pull", $"repository:{repository}:push"], records[1].Scopes);
    }

    [Fact]
    public async Task Skopeo_pushes_with_credentials_and_inspects_anonymously_a_public_repository()
    {
        var repository = Unique(TokenAuthRegistryFixture.PublicPrefix);
        var reference = $"docker://{registry.Host}/{repository}:latest";

        var layout = await EngineAuth.PushBusyboxAsync($"{registry.Host}/{repository}:latest", registry.Credentials, registry.CertificateDirectory, Cancellation);
        var pushes = registry.TokenServer.RequestsFor(repository);
        var inspect = await Skopeo.RunCheckedAsync(["inspect", "--cert-dir", registry.CertificateDirectory, "--no-creds", reference], Cancellation);

        using var json = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(layout.ManifestDigest, json.RootElement.GetProperty("Digest").GetString());
        Assert.NotEmpty(pushes);
        Assert.All(pushes, r => Assert.Equal(registry.Username, r.Account));
        Assert.Contains(pushes, r => r.GrantedAccess.Contains($"repository:{repository}:pull,push"));
        var anonymous = registry.TokenServer.RequestsFor(repository).Skip(pushes.Count).ToList();
        Assert.NotEmpty(anonymous);
        Assert.All(anonymous, r => Assert.Equal(("anonymous", 200), (r.GrantType, r.StatusCode)));
        Assert.Contains(anonymous, r => r.Scopes.Contains($"repository:{repository}:pull"));
    }

    [Fact]
    public async Task Skopeo_inspects_a_private_repository_with_credentials_only()
    {
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        var reference = $"docker://{registry.Host}/{repository}:latest";
        await EngineAuth.PushBusyboxAsync($"{registry.Host}/{repository}:latest", registry.Credentials, registry.CertificateDirectory, Cancellation);
        var before = registry.TokenServer.RequestsFor(repository).Count;

        var inspect = await Skopeo.RunAsync(["inspect", "--cert-dir", registry.CertificateDirectory, "--creds", registry.Credentials, reference], Cancellation);
        var withCredentials = registry.TokenServer.RequestsFor(repository).Skip(before).ToList();
        var anonymous = await Skopeo.RunAsync(["inspect", "--cert-dir", registry.CertificateDirectory, "--no-creds", reference], Cancellation);
        var wrong = await Skopeo.RunAsync(["inspect", "--cert-dir", registry.CertificateDirectory, "--creds", registry.Username + ":wrong", reference], Cancellation);

        Assert.True(inspect.ExitCode == 0, inspect.StandardError);
        Assert.NotEmpty(withCredentials);
        Assert.All(withCredentials, r => Assert.Equal([$"repository:{repository}:pull"], r.Scopes));
        Assert.All(withCredentials, r => Assert.Equal((registry.Username, 200), (r.Account, r.StatusCode)));
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("unauthorized", anonymous.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains(registry.TokenServer.RequestsFor(repository), r => r.StatusCode == 401 && r.ClaimedAccount == registry.Username);
    }

    [Fact]
    public async Task Skopeo_with_an_identity_token_in_its_auth_file_uses_the_refresh_token_form()
    {
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        var reference = $"docker://{registry.Host}/{repository}:latest";
        await EngineAuth.PushBusyboxAsync($"{registry.Host}/{repository}:latest", registry.Credentials, registry.CertificateDirectory, Cancellation);
        var before = registry.TokenServer.RequestsFor(repository).Count;
        using var work = new TempDirectory();
        var authFile = work.Combine("auth.json");
        await File.WriteAllTextAsync(
            authFile,
            new JsonObject
            {
                // As docker login stores an identity token: the user name with an empty password in "auth" (containers/image
                // skips an entry without a decodable "auth"), the refresh token beside it.
                ["auths"] = new JsonObject
                {
                    [registry.Host] = new JsonObject
                    {
                        ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(registry.Username + ":")),
                        ["identitytoken"] = registry.TokenServer.IssueRefreshToken(registry.Username),
                    },
                },
            }.ToJsonString(),
            Cancellation);

        var inspect = await Skopeo.RunAsync(["inspect", "--cert-dir", registry.CertificateDirectory, "--authfile", authFile, reference], Cancellation);

        var exchanges = registry.TokenServer.RequestsFor(repository).Skip(before).ToList();
        Assert.True(inspect.ExitCode == 0, inspect.StandardError + string.Join('\n', registry.TokenServer.Requests.TakeLast(4)));
        Assert.NotEmpty(exchanges);
        Assert.All(exchanges, r => Assert.Equal(("POST", "refresh_token", registry.Username, 200), (r.Method, r.GrantType, r.Account, r.StatusCode)));
    }

    [Fact]
    public async Task Catalog_needs_the_registry_catalog_scope()
    {
        using var client = new HttpClient(registry.CreateTrustingHandler());

        var token = await FetchTokenAsync(client, "registry:catalog:*", registry.Credentials);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.BaseAddress, "v2/_catalog"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_plain_http_registry_accepts_rs256_tokens_with_an_x5c_chain_and_anonymous_tokens_can_be_refused()
    {
        await using var own = new CertificateChainTokenRegistryFixture();
        await own.InitializeAsync();
        var repository = Unique(TokenAuthRegistryFixture.PrivatePrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var tokenRequest = new HttpRequestMessage(
            HttpMethod.Get, new Uri(own.TokenServer.Realm, $"?service={own.Service}&scope=repository:{repository}:pull"));
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(own.Credentials)));
        using var tokenResponse = await client.SendAsync(tokenRequest, Cancellation);
        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(Cancellation));
        var token = json.RootElement.GetProperty("token").GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(own.BaseAddress, $"v2/{repository}/tags/list"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request, Cancellation);

        using var anonymous = await client.GetAsync(
            new Uri(own.TokenServer.Realm, $"?service={own.Service}&scope=repository:{TokenAuthRegistryFixture.PublicPrefix}app:pull"), Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var header = Decode(token).Header;
        Assert.Equal("http", own.TokenServer.Realm.Scheme);
        Assert.False(header.TryGetProperty("kid", out _));
        Assert.Single(header.GetProperty("x5c").EnumerateArray());
        Assert.Equal("RS256", header.GetProperty("alg").GetString());
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Get_with_offline_token_returns_a_refresh_token_only_to_an_authenticated_user()
    {
        var repository = Unique(TokenAuthRegistryFixture.PublicPrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var user = await client.SendAsync(TokenRequest($"repository:{repository}:pull", registry.Credentials, "&offline_token=true&client_id=kaniko-tests"), Cancellation);
        using var anonymous = await client.SendAsync(TokenRequest($"repository:{repository}:pull", null, "&offline_token=true"), Cancellation);

        using var userJson = JsonDocument.Parse(await user.Content.ReadAsStringAsync(Cancellation));
        using var anonymousJson = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync(Cancellation));
        Assert.StartsWith("rt-", userJson.RootElement.GetProperty("refresh_token").GetString(), StringComparison.Ordinal);
        Assert.False(anonymousJson.RootElement.TryGetProperty("refresh_token", out _));
        Assert.Equal([true, false], registry.TokenServer.RequestsFor(repository).Select(r => r.RefreshTokenIssued));
    }

    [Fact]
    public async Task Another_service_or_an_unknown_grant_type_is_a_bad_request()
    {
        var repository = Unique(TokenAuthRegistryFixture.PublicPrefix);
        using var client = new HttpClient(registry.CreateTrustingHandler());

        using var otherService = await client.GetAsync(
            new Uri(registry.TokenServer.Realm, $"?service=elsewhere&scope=repository:{repository}:pull"), Cancellation);
        using var unknownGrant = await client.PostAsync(
            registry.TokenServer.Realm,
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["service"] = registry.Service, ["scope"] = $"repository:{repository}:pull",
            }),
            Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, otherService.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownGrant.StatusCode);
        Assert.Equal([400, 400], registry.TokenServer.RequestsFor(repository).Select(r => r.StatusCode));
    }

    [Fact]
    public async Task An_expired_token_is_refused_by_the_registry()
    {
        await using var own = new ExpiredTokenRegistryFixture();
        await own.InitializeAsync();
        var repository = Unique(TokenAuthRegistryFixture.PublicPrefix);
        using var client = new HttpClient(own.CreateTrustingHandler());

        using var tokenResponse = await client.GetAsync(
            new Uri(own.TokenServer.Realm, $"?service={own.Service}&scope=repository:{repository}:pull"), Cancellation);
        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync(Cancellation));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(own.BaseAddress, $"v2/{repository}/tags/list"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.RootElement.GetProperty("token").GetString());
        using var response = await client.SendAsync(request, Cancellation);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
    }

    private async Task<string> FetchTokenAsync(HttpClient client, string scope, string? credentials)
    {
        using var response = await client.SendAsync(TokenRequest(scope, credentials), Cancellation);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
        Assert.Equal(json.RootElement.GetProperty("token").GetString(), json.RootElement.GetProperty("access_token").GetString());
        Assert.Equal(300, json.RootElement.GetProperty("expires_in").GetInt32());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private HttpRequestMessage TokenRequest(string scope, string? credentials, string extraQuery = "")
    {
        var request = new HttpRequestMessage(
            HttpMethod.Get,
            new Uri(registry.TokenServer.Realm, $"?service={Uri.EscapeDataString(registry.Service)}&scope={Uri.EscapeDataString(scope)}{extraQuery}"));
        if (credentials is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }

        return request;
    }

    private async Task<JsonDocument> PostFormAsync(HttpClient client, Dictionary<string, string> form)
    {
        using var response = await client.PostAsync(registry.TokenServer.Realm, new FormUrlEncodedContent(form), Cancellation);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancellation));
    }

    private Task<HttpResponseMessage> GetTagsAsync(HttpClient client, string repository, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.BaseAddress, $"v2/{repository}/tags/list"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client.SendAsync(request, Cancellation);
    }

    private static (JsonElement Header, JsonElement Claims) Decode(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement,
                JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement);
    }

    private static string Unique(string prefix) => prefix + "t" + Guid.NewGuid().ToString("N")[..12];

    [GeneratedRegex("^[A-Z2-7]{4}(:[A-Z2-7]{4}){11}$")]
    private static partial Regex KeyIdShape();

    // Also the plain-HTTP variant and RS256, so every option of the fixture is exercised against the registry.
    private sealed class CertificateChainTokenRegistryFixture : PlainHttpTokenAuthRegistryFixture
    {
        protected override TokenServerOptions CreateTokenServerOptions(string password) =>
            base.CreateTokenServerOptions(password) with
            {
                KeyReference = TokenKeyReference.CertificateChain, SigningAlgorithm = TokenSigningAlgorithm.RS256, AllowAnonymous = false,
            };
    }

    // Tokens that expired beyond distribution's 60 s leeway when they were issued.
    private sealed class ExpiredTokenRegistryFixture : TokenAuthRegistryFixture
    {
        protected override TokenServerOptions CreateTokenServerOptions(string password) =>
            base.CreateTokenServerOptions(password) with { TokenLifetime = TimeSpan.FromMinutes(-5) };
    }
}
