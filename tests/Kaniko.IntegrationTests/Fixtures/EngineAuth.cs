using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

/// <summary>
/// Helpers for tests of our authentication code (<see cref="AuthenticatingHandler"/>, <see cref="DockerConfigKeychain"/>,
/// the token client) against the real registries of the fixtures: credentials come from a config.json in a private
/// DOCKER_CONFIG folder, TLS trusts only the fixture's CA, and images are pushed by skopeo.
/// </summary>
internal static class EngineAuth
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>Writes <c>config.json</c> with one <c>auths</c> entry into a new folder and returns the folder.</summary>
    public static string WriteDockerConfig(TempDirectory parent, string registryKey, JsonObject entry) =>
        WriteDockerConfig(parent, new JsonObject { ["auths"] = new JsonObject { [registryKey] = entry } });

    /// <summary>Writes <paramref name="config"/> as <c>config.json</c> into a new folder and returns the folder.</summary>
    public static string WriteDockerConfig(TempDirectory parent, JsonObject config)
    {
        var directory = parent.Combine("docker-config-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        return directory;
    }

    public static JsonObject PasswordEntry(string user, string password) =>
        new() { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)) };

    /// <summary>The keychain docker would use with <c>DOCKER_CONFIG=<paramref name="dockerConfig"/></c>.</summary>
    public static DockerConfigKeychain Keychain(string dockerConfig) =>
        DockerConfigKeychain.FromEnvironment(name => name == "DOCKER_CONFIG" ? dockerConfig : Environment.GetEnvironmentVariable(name));

    /// <summary>An authenticating client whose transport trusts only <paramref name="certificate"/>'s CA.</summary>
    public static HttpClient Client(IKeychain keychain, TestServerCertificate certificate)
    {
        var transport = certificate.CreateTrustingHandler();
        // The registry client follows redirects itself; the handler must see every answer.
        transport.AllowAutoRedirect = false;
        return new HttpClient(new AuthenticatingHandler(keychain) { InnerHandler = transport });
    }

    public static HttpRequestMessage Request(HttpMethod method, Uri baseAddress, string path, RegistryScope scope, string? accept = null)
    {
        var request = new HttpRequestMessage(method, new Uri(baseAddress, path));
        AuthenticatingHandler.SetScopes(request, scope);
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        return request;
    }

    public static string DigestOf(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>Pushes busybox with skopeo to <paramref name="reference"/> (host/repository:tag).</summary>
    public static async Task<OciLayoutImage> PushBusyboxAsync(string reference, string credentials, string certificateDirectory, CancellationToken cancellationToken)
    {
        var layout = await BaseImages.BusyboxLayoutAsync(cancellationToken);
        await Skopeo.RunCheckedAsync(
            ["copy", "--quiet", "--dest-creds", credentials, "--dest-cert-dir", certificateDirectory, layout.TransportReference, "docker://" + reference],
            cancellationToken);
        return layout;
    }

    /// <summary>
    /// Uploads <paramref name="blob"/> monolithically: POST to start, PUT with the digest to finish. With
    /// <paramref name="readOnce"/> the PUT body is a <see cref="ForwardOnlyStream"/> of unknown length, which the
    /// handler cannot replay: it must send it authorized at once, knowing the challenge from the POST.
    /// </summary>
    public static async Task<HttpStatusCode> UploadBlobAsync(
        HttpClient client, Uri baseAddress, string repository, byte[] blob, CancellationToken cancellationToken, bool readOnce = false)
    {
        var scope = RegistryScope.RepositoryPush(repository);
        using var started = await client.SendAsync(Request(HttpMethod.Post, baseAddress, $"v2/{repository}/blobs/uploads/", scope), cancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = new UriBuilder(new Uri(baseAddress, started.Headers.Location!));
        location.Query = (location.Query.Length > 1 ? location.Query[1..] + "&" : string.Empty) + "digest=" + Uri.EscapeDataString(DigestOf(blob));
        HttpContent content = readOnce ? new StreamContent(new ForwardOnlyStream(blob)) : new ByteArrayContent(blob);
        using var put = new HttpRequestMessage(HttpMethod.Put, location.Uri) { Content = content };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        AuthenticatingHandler.SetScopes(put, scope);
        using var finished = await client.SendAsync(put, cancellationToken);
        return finished.StatusCode;
    }

    /// <summary>Fails when the exception text (message, inner exceptions, stack) holds any of <paramref name="secrets"/>.</summary>
    public static void AssertNoSecret(Exception error, params string[] secrets)
    {
        var text = error.ToString();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
