using System.Net;
using System.Text;
using System.Web;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry.Auth;

/// <summary>
/// The handshake against an in-process HTTP server on 127.0.0.1, for what a real registry cannot show on demand:
/// token expiry, refused tokens, the OAuth2 refresh-token form, and the rule that credentials never travel over plain
/// http. (The real registry with htpasswd over TLS is exercised in Kaniko.IntegrationTests.)
/// </summary>
public sealed class AuthenticatingHandlerTests
{
    private const string Secret = "pw-5d2b9c41-unique";
    private const string Manifest = "/v2/team/app/manifests/latest";
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Anonymous_bearer_flow_gets_a_token_and_reuses_it()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"anon-1","expires_in":300}""")
            : r.Authorization == "Bearer anon-1" ? Respond.Text(200, "manifest") : Respond.Challenge(BearerChallenge(server)));
        var keychain = new FixedKeychain(RegistryCredential.Anonymous);
        using var client = Client(keychain);

        using var first = await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct);
        using var second = await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var token = Assert.Single(server.RequestsTo("/token"));
        Assert.Equal("GET", token.Method);
        Assert.Null(token.Authorization);
        var query = HttpUtility.ParseQueryString(new Uri("http://x" + token.Target).Query);
        Assert.Equal("test-registry", query["service"]);
        Assert.Equal("repository:team/app:pull", query["scope"]);
        // The second request went out authorized: no second 401.
        Assert.Equal([null, "Bearer anon-1", "Bearer anon-1"], server.RequestsTo("/v2/").Select(r => r.Authorization));
        Assert.Equal(1, keychain.Calls);
    }

    [Fact]
    public async Task Parallel_requests_share_one_keychain_lookup_and_one_token()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"shared"}""")
            : r.Authorization == "Bearer shared" ? Respond.Empty(200) : Respond.Challenge(BearerChallenge(server)));
        var keychain = new FixedKeychain(RegistryCredential.Anonymous);
        using var client = Client(keychain);
        // Learn the challenge first, as a build does with its first request.
        (await client.SendAsync(Get(server, "/v2/"), Ct)).Dispose();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            client.SendAsync(Get(server, $"/v2/team/app/blobs/sha256:{i:x64}", RegistryScope.RepositoryPush("team/app")), Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, keychain.Calls);
        // One token for the ping (no scope), one for the sixteen blob requests.
        Assert.Equal(2, server.RequestsTo("/token").Count());
    }

    [Fact]
    public async Task Several_scopes_are_sent_as_several_parameters()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"access_token":"t"}""")
            : r.Authorization == "Bearer t" ? Respond.Empty(201) : Respond.Challenge(BearerChallenge(server, scope: "repository:base/img:pull")));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        using var response = await client.SendAsync(Get(server, "/v2/team/app/blobs/uploads/?mount=x&from=base/img", RegistryScope.RepositoryPush("team/app")), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var query = HttpUtility.ParseQueryString(new Uri("http://x" + Assert.Single(server.RequestsTo("/token")).Target).Query);
        // The registry's own scope (from the challenge) joins the stated one.
        Assert.Equal(["repository:base/img:pull", "repository:team/app:pull,push"], query.GetValues("scope")!);
    }

    [Fact]
    public async Task An_expiring_token_is_renewed_before_it_lapses()
    {
        var issued = 0;
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, $$"""{"token":"t{{Interlocked.Increment(ref issued)}}","expires_in":60,"issued_at":"2026-01-01T00:00:00Z"}""")
            : r.Authorization?.StartsWith("Bearer t", StringComparison.Ordinal) == true ? Respond.Empty(200) : Respond.Challenge(BearerChallenge(server)));
        var clock = new ManualTimeProvider(Start);
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous), new RegistryAuthOptions { TimeProvider = clock });

        (await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct)).Dispose();
        clock.Advance(TimeSpan.FromSeconds(30));
        (await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct)).Dispose();
        clock.Advance(TimeSpan.FromSeconds(20));
        (await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct)).Dispose();

        Assert.Equal(2, issued);
        Assert.Equal([null, "Bearer t1", "Bearer t1", "Bearer t2"], server.RequestsTo("/v2/").Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_refused_token_is_dropped_and_a_new_one_fetched()
    {
        var issued = 0;
        var accepted = "Bearer t1";
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, $$"""{"token":"t{{Interlocked.Increment(ref issued)}}","expires_in":3600}""")
            : r.Authorization == Volatile.Read(ref accepted) ? Respond.Empty(200)
            : Respond.Challenge(BearerChallenge(server) + (r.Authorization is null ? "" : ",error=\"invalid_token\"")));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        (await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct)).Dispose();
        Volatile.Write(ref accepted, "Bearer t2"); // the registry revokes t1
        using var response = await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, issued);
        Assert.Equal([null, "Bearer t1", "Bearer t1", "Bearer t2"], server.RequestsTo("/v2/").Select(r => r.Authorization));
    }

    [Fact]
    public async Task A_token_refused_on_the_retry_is_not_sent_again()
    {
        var issued = 0;
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, $$"""{"token":"t{{Interlocked.Increment(ref issued)}}","expires_in":3600}""")
            : r.Authorization == "Bearer t2" ? Respond.Empty(200)
            : r.Authorization is null ? Respond.Challenge(BearerChallenge(server))
            : Respond.Challenge(BearerChallenge(server, scope: "repository:elsewhere:pull") + ",error=\"insufficient_scope\""));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));
        using var response = await client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([null, "Bearer t1", "Bearer t2"], server.RequestsTo("/v2/").Select(r => r.Authorization));
    }

    [Fact]
    public async Task An_identity_token_is_exchanged_with_the_oauth2_post_form()
    {
        const string refresh = "refresh-" + Secret;
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? (r.Method == "POST" ? Respond.Json(200, """{"access_token":"a1","expires_in":120,"issued_at":"2026-01-01T00:00:00Z","scope":"repository:team/app:pull,push"}""") : Respond.Empty(405))
            : r.Authorization == "Bearer a1" ? Respond.Empty(202) : Respond.Challenge(BearerChallenge(server)));
        var options = new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { server.Authority } };
        using var client = Client(new FixedKeychain(RegistryCredential.FromIdentityToken(refresh, "alice")), options);

        var request = new HttpRequestMessage(HttpMethod.Put, server.BaseUrl + "/v2/team/app/manifests/v1") { Content = new StringContent("{}") };
        AuthenticatingHandler.SetScopes(request, RegistryScope.RepositoryPush("team/app"));
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var token = Assert.Single(server.RequestsTo("/token"));
        Assert.Equal("POST", token.Method);
        Assert.Equal("/token", token.Target);
        Assert.Null(token.Authorization);
        Assert.StartsWith("application/x-www-form-urlencoded", token.Header("Content-Type"), StringComparison.Ordinal);
        var form = HttpUtility.ParseQueryString(token.BodyText);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal(refresh, form["refresh_token"]);
        Assert.Equal("test-registry", form["service"]);
        Assert.Equal("repository:team/app:pull,push", form["scope"]);
        Assert.Equal("kaniko-dotnet", form["client_id"]);
        // The body was replayed intact after the 401.
        Assert.Equal(["{}", "{}"], server.RequestsTo("/v2/").Select(r => r.BodyText));
    }

    [Fact]
    public async Task Basic_credentials_never_go_over_plain_http()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(_ => Respond.Challenge("Basic realm=\"test\""));
        using var client = Client(new FixedKeychain(RegistryCredential.FromPassword("alice", Secret, "/root/.docker/config.json")));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.InsecureCredentialTransport, error.Code);
        Assert.Equal($"refusing to send credentials for {server.Authority}/team/app over plain http; use https or mark the registry insecure", error.Message);
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_password_never_goes_to_a_plain_http_token_server()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"t"}""")
            : Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.FromPassword("alice", Secret)));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.InsecureCredentialTransport, error.Code);
        Assert.Empty(server.RequestsTo("/token"));
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task A_registry_token_never_goes_over_plain_http()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(_ => Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.FromRegistryToken(Secret)));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.InsecureCredentialTransport, error.Code);
        Assert.All(server.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task An_insecure_registry_gets_basic_credentials_and_a_registry_token_directly()
    {
        RawHttpServer server = null!;
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Secret));
        await using var _ = server = new RawHttpServer(r => r.Authorization == expected || r.Authorization == "Bearer rt-1" ? Respond.Empty(200)
            : Respond.Challenge(r.Target.Contains("bearer", StringComparison.Ordinal) ? BearerChallenge(server) : "Basic realm=\"test\""));
        var options = new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { "http://" + server.Authority } };

        using var basic = Client(new FixedKeychain(RegistryCredential.FromPassword("alice", Secret)), options);
        using var basicResponse = await basic.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct);
        using var bearer = Client(new FixedKeychain(RegistryCredential.FromRegistryToken("rt-1")), options);
        using var bearerResponse = await bearer.SendAsync(Get(server, "/v2/bearer/manifests/x", RegistryScope.RepositoryPull("bearer")), Ct);

        Assert.Equal(HttpStatusCode.OK, basicResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);
        Assert.Empty(server.RequestsTo("/token"));
    }

    [Fact]
    public async Task Anonymous_access_to_a_protected_repository_says_where_credentials_were_looked_for()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"anonymous-token"}""")
            : Respond.Challenge(BearerChallenge(server) + ",error=\"insufficient_scope\""));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous, "/root/.docker/config.json"));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, "/v2/foo/manifests/latest", RegistryScope.RepositoryPull("foo")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Equal($"authentication required for {server.Authority}/foo: no credentials found in /root/.docker/config.json; run docker login or set DOCKER_CONFIG", error.Message);
    }

    [Fact]
    public async Task Anonymous_facing_basic_is_refused_without_a_second_try()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(_ => Respond.Challenge("Basic realm=\"test\""));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous, "/kaniko/.docker/config.json"));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, "/v2/foo/tags/list", RegistryScope.RepositoryPull("foo")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Contains("/kaniko/.docker/config.json", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Rejected_credentials_name_their_source_but_not_the_secret()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(_ => Respond.Challenge("Basic realm=\"test\""));
        var options = new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { server.Authority } };
        using var client = Client(new FixedKeychain(RegistryCredential.FromPassword("alice", Secret, "/root/.docker/config.json")), options);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        Assert.Equal($"authentication to {server.Authority}/team/app failed with the credentials from /root/.docker/config.json: the registry answered 401 Unauthorized", error.Message);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);

        // Once the challenge is known, refused Basic credentials are not sent a second time.
        await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));
        Assert.Equal([null, "Basic", "Basic"], server.Requests.Select(r => r.Authorization?.Split(' ')[0]));
    }

    [Theory]
    [InlineData(401, 3101, "token server http://127.0.0.1:PORT/token answered 401 Unauthorized")]
    [InlineData(500, 3106, "answered 500 InternalServerError: oops, the password was ***")]
    public async Task Token_server_failures_are_explained_without_the_secret(int status, int code, string expected)
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Text(status, "oops, the password was " + Secret)
            : Respond.Challenge(BearerChallenge(server)));
        var options = new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { server.Authority } };
        using var client = Client(new FixedKeychain(RegistryCredential.FromPassword("alice", Secret, "helper")), options);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(code, error.Code.Number);
        Assert.Contains(expected.Replace("PORT", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        var token = Assert.Single(server.RequestsTo("/token"));
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Secret)), token.Authorization);
        Assert.Contains("account=alice", token.Target, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "the answer is not JSON")]
    [InlineData("""{"expires_in":60}""", "the answer has neither token nor access_token")]
    public async Task A_token_answer_without_a_token_is_an_error(string body, string reason)
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Text(200, body)
            : Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest, RegistryScope.RepositoryPull("team/app")), Ct));

        Assert.Equal(DiagnosticCodes.TokenResponseInvalid, error.Code);
        Assert.EndsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Negotiate", "asks for unsupported authentication: Negotiate")]
    [InlineData("Bearer service=\"x\"", "asks for unsupported authentication: Bearer")]
    public async Task An_unsupported_challenge_is_an_error(string challenge, string expected)
    {
        await using var server = new RawHttpServer(_ => Respond.Challenge(challenge));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(Get(server, Manifest), Ct));

        Assert.Equal(DiagnosticCodes.AuthenticationChallengeUnsupported, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_without_challenge_goes_back_to_the_caller()
    {
        await using var server = new RawHttpServer(_ => Respond.Empty(401));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));

        using var response = await client.SendAsync(Get(server, Manifest), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Authorization_is_not_forwarded_on_redirects()
    {
        await using var storage = new RawHttpServer(_ => Respond.Text(200, "blob"));
        RawHttpServer registry = null!;
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + Secret));
        await using var _ = registry = new RawHttpServer(r => r.Authorization != expected ? Respond.Challenge("Basic realm=\"r\"")
            : Respond.Empty(307, ("Location", storage.BaseUrl + "/blob?sig=1")));
        var options = new RegistryAuthOptions { InsecureRegistries = new HashSet<string> { registry.Authority } };
        var keychain = new FixedKeychain(RegistryCredential.FromPassword("alice", Secret));

        // As the registry client uses it: redirects come back, the client follows them with a new request.
        using (var manual = Client(keychain, options))
        {
            using var redirect = await manual.SendAsync(Get(registry, "/v2/team/app/blobs/sha256:aa", RegistryScope.RepositoryPull("team/app")), Ct);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
            using var blob = await manual.SendAsync(new HttpRequestMessage(HttpMethod.Get, redirect.Headers.Location), Ct);
            Assert.Equal(HttpStatusCode.OK, blob.StatusCode);
        }

        // Even when the inner handler follows redirects itself, the other host gets no credentials.
        using (var automatic = Client(keychain, options, autoRedirect: true))
        {
            using var blob = await automatic.SendAsync(Get(registry, "/v2/team/app/blobs/sha256:aa", RegistryScope.RepositoryPull("team/app")), Ct);
            Assert.Equal("blob", await blob.Content.ReadAsStringAsync(Ct));
        }

        Assert.Equal(2, storage.Requests.Count);
        Assert.All(storage.Requests, r => Assert.Null(r.Authorization));
        Assert.Contains(registry.Requests, r => r.Authorization == expected);
    }

    [Fact]
    public async Task A_streaming_body_is_sent_once_after_learning_the_challenge_from_a_ping()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"t"}""")
            : r.Authorization == "Bearer t" ? Respond.Empty(201) : Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));
        var payload = Encoding.UTF8.GetBytes(new string('x', 5000));

        var request = new HttpRequestMessage(HttpMethod.Put, server.BaseUrl + "/v2/team/app/blobs/uploads/1?digest=sha256:aa")
        {
            Content = new StreamContent(new ForwardOnlyStream(payload)),
        };
        AuthenticatingHandler.SetScopes(request, RegistryScope.RepositoryPush("team/app"));
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["GET /v2/ -", "GET /token -", "PUT /v2/team/app/blobs/uploads/1 Bearer t"],
            server.Requests.Select(r => $"{r.Method} {r.Target.Split('?')[0]} {r.Authorization ?? "-"}"));
        Assert.Equal(5000, server.Requests.Last().Body.Length);
    }

    [Fact]
    public async Task A_small_stream_body_of_known_length_is_buffered_and_replayed()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"t"}""")
            : r.Authorization == "Bearer t" ? Respond.Empty(201) : Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous));
        var content = new StreamContent(new ForwardOnlyStream("small body"u8.ToArray()));
        content.Headers.ContentLength = 10;

        var request = new HttpRequestMessage(HttpMethod.Put, server.BaseUrl + "/v2/team/app/manifests/v1") { Content = content };
        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["small body", "small body"], server.RequestsTo("/v2/").Select(r => r.BodyText));
    }

    [Fact]
    public async Task A_streaming_body_refused_after_authorization_is_an_error_not_a_replay()
    {
        RawHttpServer server = null!;
        await using var _ = server = new RawHttpServer(r => r.Target.StartsWith("/token", StringComparison.Ordinal)
            ? Respond.Json(200, """{"token":"t"}""")
            : Respond.Challenge(BearerChallenge(server)));
        using var client = Client(new FixedKeychain(RegistryCredential.Anonymous, "/root/.docker/config.json"));

        var request = new HttpRequestMessage(HttpMethod.Put, server.BaseUrl + "/v2/team/app/blobs/uploads/1") { Content = new StreamContent(new ForwardOnlyStream([1, 2, 3])) };
        AuthenticatingHandler.SetScopes(request, RegistryScope.RepositoryPush("team/app"));
        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(request, Ct));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Single(server.Requests, r => r.Method == "PUT");
    }

    private static HttpClient Client(IKeychain keychain, RegistryAuthOptions? options = null, bool autoRedirect = false) =>
        new(new AuthenticatingHandler(keychain, options) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = autoRedirect } });

    private static HttpRequestMessage Get(RawHttpServer server, string path, params RegistryScope[] scopes)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + path);
        AuthenticatingHandler.SetScopes(request, scopes);
        return request;
    }

    private static string BearerChallenge(RawHttpServer server, string? scope = null) =>
        $"Bearer realm=\"{server.BaseUrl}/token\",service=\"test-registry\"" + (scope is null ? "" : $",scope=\"{scope}\"");
}
