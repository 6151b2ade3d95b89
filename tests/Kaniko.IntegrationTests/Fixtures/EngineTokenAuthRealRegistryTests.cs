using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

[Trait("Category", "Integration")]
[Collection(TokenAuthRegistryCollection.Name)]
public sealed class EngineTokenAuthRealRegistryTests(TokenAuthRegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_password_in_docker_config_gets_one_token_for_several_calls_of_the_same_scope()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-" + Guid.NewGuid().ToString("N")[..8];
        var layout = await EngineAuth.PushBusyboxAsync($"{registry.Host}/{repository}:latest", registry.Credentials, registry.CertificateDirectory, Cancellation);
        var before = registry.TokenServer.RequestsFor(repository).Count;
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);
        var pull = RegistryScope.RepositoryPull(repository);

        using var manifest = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/manifests/latest", pull, EngineAuth.OciManifest), Cancellation);
        using var tags = await client.SendAsync(EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/tags/list", pull), Cancellation);
        using var config = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Head, registry.BaseAddress, $"v2/{repository}/blobs/{layout.ConfigDigest}", pull), Cancellation);
        using var layer = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Head, registry.BaseAddress, $"v2/{repository}/blobs/{layout.LayerDigests[0]}", pull), Cancellation);

        Assert.Equal(layout.ManifestDigest, EngineAuth.DigestOf(await manifest.Content.ReadAsByteArrayAsync(Cancellation)));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { tags.StatusCode, config.StatusCode, layer.StatusCode });
        var ours = registry.TokenServer.RequestsFor(repository).Skip(before).ToList();
        var token = Assert.Single(ours);
        Assert.Equal(("GET", "basic", registry.Username), (token.Method, token.GrantType, token.Account));
        Assert.Equal([$"repository:{repository}:pull"], token.Scopes);
    }

    [Fact]
    public async Task Parallel_calls_of_the_same_scope_share_one_token_request()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-parallel-" + Guid.NewGuid().ToString("N")[..8];
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);
        var pull = RegistryScope.RepositoryPull(repository);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/manifests/tag{i}", pull, EngineAuth.OciManifest), Cancellation)));

        // Every call got past authorization: the tags just do not exist.
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Array.ForEach(responses, r => r.Dispose());
        var token = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal([$"repository:{repository}:pull"], token.Scopes);
    }

    [Fact]
    public async Task A_push_asks_for_pull_and_push_once_and_the_blob_is_readable_by_skopeo_credentials()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-push-" + Guid.NewGuid().ToString("N")[..8];
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, registry.Password));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);
        var blob = Encoding.UTF8.GetBytes("blob pushed with a bearer token " + repository);

        var status = await EngineAuth.UploadBlobAsync(client, registry.BaseAddress, repository, blob, Cancellation);
        using var fetched = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/blobs/{EngineAuth.DigestOf(blob)}", RegistryScope.RepositoryPush(repository)),
            Cancellation);

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(blob, await fetched.Content.ReadAsByteArrayAsync(Cancellation));
        var token = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal(("GET", registry.Service), (token.Method, token.Service));
        Assert.Equal([$"repository:{repository}:pull,push"], token.Scopes);
        Assert.Equal([$"repository:{repository}:pull,push"], token.GrantedAccess);
    }

    [Fact]
    public async Task An_identity_token_in_docker_config_is_exchanged_with_the_refresh_token_form()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-identity-" + Guid.NewGuid().ToString("N")[..8];
        var refreshToken = registry.TokenServer.IssueRefreshToken(registry.Username);
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("<token>:")), ["identitytoken"] = refreshToken });
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        using var response = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/tags/list", RegistryScope.RepositoryPull(repository)), Cancellation);

        // Past authorization: the repository just does not exist.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var token = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal(("POST", "refresh_token", registry.Username, 200), (token.Method, token.GrantType, token.Account, token.StatusCode));
    }

    [Fact]
    public async Task Without_credentials_a_public_repository_opens_anonymously_and_a_private_one_does_not()
    {
        using var work = new TempDirectory();
        var open = TokenAuthRegistryFixture.PublicPrefix + "engine-anon-" + Guid.NewGuid().ToString("N")[..8];
        var closed = TokenAuthRegistryFixture.PrivatePrefix + "engine-anon-" + Guid.NewGuid().ToString("N")[..8];
        var dockerConfig = work.Combine("no-config-here");
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        using var response = await client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{open}/tags/list", RegistryScope.RepositoryPull(open)), Cancellation);
        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{closed}/tags/list", RegistryScope.RepositoryPull(closed)), Cancellation));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // The handler may add the scopes it used before to a later token request, so look at the first one only.
        var first = registry.TokenServer.RequestsFor(open)[0];
        Assert.Equal(("anonymous", 200), (first.GrantType, first.StatusCode));
        Assert.Equal([$"repository:{open}:pull"], first.Scopes);
        Assert.Equal(DiagnosticCodes.RegistryAuthenticationRequired, error.Code);
        Assert.Equal(
            $"authentication required for {registry.Host}/{closed}: no credentials found in {Path.Combine(dockerConfig, "config.json")}; run docker login or set DOCKER_CONFIG",
            error.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_token_server_and_no_secret_reaches_the_exception()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-wrong-" + Guid.NewGuid().ToString("N")[..8];
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, EngineAuth.PasswordEntry(registry.Username, wrong));
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/tags/list", RegistryScope.RepositoryPull(repository)), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        Assert.StartsWith(
            $"authentication to {registry.Host}/{repository} failed with the credentials from {Path.Combine(dockerConfig, "config.json")}: token server ",
            error.Message, StringComparison.Ordinal);
        var refused = Assert.Single(registry.TokenServer.RequestsFor(repository));
        Assert.Equal((401, registry.Username), (refused.StatusCode, refused.ClaimedAccount));
        EngineAuth.AssertNoSecret(
            error, wrong, registry.Password, Convert.ToBase64String(Encoding.UTF8.GetBytes(registry.Username + ":" + wrong)));
    }

    [Fact]
    public async Task A_refresh_token_the_server_does_not_know_fails_without_printing_it()
    {
        using var work = new TempDirectory();
        var repository = TokenAuthRegistryFixture.PrivatePrefix + "engine-badrt-" + Guid.NewGuid().ToString("N")[..8];
        var forged = "rt-forged-" + Guid.NewGuid().ToString("N");
        var dockerConfig = EngineAuth.WriteDockerConfig(work, registry.Host, new JsonObject { ["identitytoken"] = forged });
        using var client = EngineAuth.Client(EngineAuth.Keychain(dockerConfig), registry.Certificate);

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.SendAsync(
            EngineAuth.Request(HttpMethod.Get, registry.BaseAddress, $"v2/{repository}/tags/list", RegistryScope.RepositoryPull(repository)), Cancellation));

        Assert.Equal(DiagnosticCodes.RegistryAuthenticationFailed, error.Code);
        EngineAuth.AssertNoSecret(error, forged);
    }
}
