using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Web;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Registry.Auth;

/// <summary>
/// Debian's distribution registry with token authentication, as large registries run it: the registry answers
/// <c>Bearer realm=...,service=...,scope=...</c> and verifies the JWTs that a token server signs. The token server is a
/// test double on 127.0.0.1 that signs ES256 tokens with a key whose certificate the registry trusts
/// (<c>rootcertbundle</c>). It grants pull on <c>public/*</c> to anyone, everything to <see cref="Username"/> with
/// <see cref="Password"/>, and everything to the refresh token <see cref="RefreshToken"/> (the OAuth2 form).
/// Both run over plain http on loopback, so clients must mark the registry insecure to send credentials.
/// </summary>
public sealed class TokenAuthRegistry : IAsyncLifetime
{
    /// <summary>The token server's user.</summary>
    public const string Username = "builder";

    /// <summary>Its password.</summary>
    public const string Password = "tokpw-71c0e2d9-never-printed";

    /// <summary>A refresh token the server accepts in the OAuth2 form.</summary>
    public const string RefreshToken = "refresh-a4b6e8f0-never-printed";

    /// <summary>The service name in the registry's challenges and the tokens' audience.</summary>
    public const string Service = "kaniko-test-registry";

    private const string Issuer = "kaniko-test-token-server";

    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private X509Certificate2? _certificate;
    private OwnRegistryProcess? _process;
    private TempDirectory? _directory;
    private string? _unavailable;

    /// <summary>The registry host, <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = "";

    /// <summary>The token server, to inspect the requests it received.</summary>
    public LoopbackHttpServer TokenServer { get; private set; } = null!;

    /// <summary>Skips the calling test when the registry binary is missing.</summary>
    public void RequireAvailable()
    {
        if (_unavailable is not null)
        {
            TestRequirements.Unavailable(_unavailable);
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(RegistryOptions.Default.BinaryPath))
        {
            _unavailable = RegistryFixture.MissingBinaryMessage;
            return;
        }

        _directory = new TempDirectory("kaniko-token-registry-");
        var request = new CertificateRequest("CN=" + Issuer, _signingKey, HashAlgorithmName.SHA256);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        var bundle = _directory.Combine("token-signer.pem");
        await File.WriteAllTextAsync(bundle, _certificate.ExportCertificatePem());
        TokenServer = new LoopbackHttpServer(Issue);

        Host = $"127.0.0.1:{OwnRegistryProcess.FreePort()}";
        var configuration = OwnRegistryProcess.Configuration(_directory.Path, Host,
            "auth:",
            "  token:",
            "    realm: " + OwnRegistryProcess.Quote(TokenServer.BaseUrl + "/token"),
            "    service: " + Service,
            "    issuer: " + Issuer,
            "    rootcertbundle: " + OwnRegistryProcess.Quote(bundle));
        using var transport = new SocketsHttpHandler();
        _process = await OwnRegistryProcess.StartAsync(_directory.Path, configuration, new Uri($"http://{Host}/v2/"), transport);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        if (TokenServer is not null)
        {
            await TokenServer.DisposeAsync();
        }

        _certificate?.Dispose();
        _signingKey.Dispose();
        _directory?.Dispose();
    }

    private LoopbackReply Issue(LoopbackRequest request)
    {
        if (!request.PathAndQuery.StartsWith("/token", StringComparison.Ordinal))
        {
            return new LoopbackReply(404);
        }

        var post = request.Method == "POST";
        var parameters = HttpUtility.ParseQueryString(post ? request.Body : new Uri("http://x" + request.PathAndQuery).Query);
        bool trusted;
        if (post)
        {
            trusted = parameters["grant_type"] == "refresh_token" && parameters["refresh_token"] == RefreshToken;
            if (!trusted)
            {
                return new LoopbackReply(401, """{"error":"invalid_grant"}""");
            }
        }
        else if (request.Authorization is { } authorization)
        {
            trusted = authorization == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Username + ":" + Password));
            if (!trusted)
            {
                return new LoopbackReply(401, """{"details":"incorrect username or password"}""");
            }
        }
        else
        {
            trusted = false;
        }

        // GET repeats "scope"; the OAuth2 form puts the scopes in one parameter, separated by spaces.
        var scopes = (parameters.GetValues("scope") ?? []).SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var access = new JsonArray();
        foreach (var scope in scopes)
        {
            var first = scope.IndexOf(':', StringComparison.Ordinal);
            var last = scope.LastIndexOf(':');
            var (type, name, actions) = (scope[..first], scope[(first + 1)..last], scope[(last + 1)..].Split(','));
            var granted = trusted ? actions : name.StartsWith("public/", StringComparison.Ordinal) ? actions.Where(a => a == "pull").ToArray() : [];
            access.Add(new JsonObject { ["type"] = type, ["name"] = name, ["actions"] = new JsonArray([.. granted.Select(a => JsonValue.Create(a))]) });
        }

        var token = Sign(trusted ? Username : "", access);
        var body = post
            ? new JsonObject { ["access_token"] = token, ["expires_in"] = 300 }
            : new JsonObject { ["token"] = token, ["expires_in"] = 300, ["issued_at"] = DateTimeOffset.UtcNow.ToString("O") };
        return LoopbackReply.Json(body.ToJsonString());
    }

    private string Sign(string subject, JsonArray access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "ES256", ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate!.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject,
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        // JWS ES256 signatures are r||s (IEEE P1363), the .NET default for ECDsa.SignData.
        var signature = _signingKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
