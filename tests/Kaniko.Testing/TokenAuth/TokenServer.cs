using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kaniko.Testing.TokenAuth;

/// <summary>
/// A registry token server on 127.0.0.1, the flow of Docker Hub's auth endpoint: <c>GET /token?service=..&amp;scope=..</c>
/// with optional Basic credentials, and the OAuth2 form <c>POST /token</c> (<c>grant_type=password|refresh_token</c>)
/// that identity-token logins use. Tokens hold only the access <see cref="TokenServerOptions.Grants"/> allow. Every
/// request is recorded without secrets in <see cref="Requests"/>.
/// </summary>
public sealed class TokenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TokenSigner _signer;
    private readonly ConcurrentQueue<TokenRequestRecord> _requests = new();
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);
    private readonly X509Certificate2? _tlsCertificate;

    private TokenServer(TokenServerOptions options, WebApplication app, TokenSigner signer, X509Certificate2? tlsCertificate)
    {
        Options = options;
        _app = app;
        _signer = signer;
        _tlsCertificate = tlsCertificate;
    }

    /// <summary>The configuration of this server.</summary>
    public TokenServerOptions Options { get; }

    /// <summary>The token endpoint, <c>http(s)://127.0.0.1:PORT/token</c>: the registry's <c>realm</c>.</summary>
    public Uri Realm { get; private set; } = null!;

    /// <summary>The PEM certificate of the signing key, for the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _signer.CertificatePem;

    /// <summary>The libtrust key ID in the tokens' <c>kid</c> header.</summary>
    public string KeyId => _signer.KeyId;

    /// <summary>Every request answered so far, oldest first.</summary>
    public IReadOnlyList<TokenRequestRecord> Requests => [.. _requests];

    /// <summary>Starts a server listening on a free loopback port.</summary>
    public static async Task<TokenServer> StartAsync(TokenServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(TokenServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        var tlsCertificate = options.Certificate is { } pem ? X509Certificate2.CreateFromPemFile(pem.CertificatePath, pem.KeyPath) : null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (tlsCertificate is not null)
            {
                listen.UseHttps(tlsCertificate);
            }
        }));
        var app = builder.Build();
        var server = new TokenServer(options, app, new TokenSigner(options.SigningAlgorithm, options.KeyReference), tlsCertificate);
        app.MapGet("/token", server.HandleGetAsync);
        app.MapPost("/token", server.HandlePostAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Realm = new Uri(new Uri(address), "/token");
        return server;
    }

    /// <summary>
    /// A refresh token for <paramref name="account"/>, as a <c>docker login</c> stores it in config.json's
    /// <c>identitytoken</c> (the server answers <c>grant_type=refresh_token</c> with it).
    /// </summary>
    public string IssueRefreshToken(string account)
    {
        if (!Options.Users.ContainsKey(account))
        {
            throw new ArgumentException("unknown account " + account, nameof(account));
        }

        var token = "rt-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _refreshTokens[token] = account;
        return token;
    }

    /// <summary>The requests whose scopes name repository <paramref name="repository"/>.</summary>
    public IReadOnlyList<TokenRequestRecord> RequestsFor(string repository) =>
        [.. Requests.Where(r => r.Scopes.Any(s => ParseScope(s) is { } p && p.Type == "repository" && p.Name == repository))];

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _signer.Dispose();
            _tlsCertificate?.Dispose();
        }
    }

    private async Task HandleGetAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var service = query["service"].ToString();
        var scopes = SplitScopes(query["scope"]);
        var offline = string.Equals(query["offline_token"], "true", StringComparison.OrdinalIgnoreCase);
        var (claimed, password) = ReadBasic(context.Request);
        var grantType = claimed is null ? "anonymous" : "basic";
        if (claimed is null && !Options.AllowAnonymous)
        {
            await RefuseAsync(context, HttpStatusCode.Unauthorized, "GET", null, grantType, service, scopes, "authentication required").ConfigureAwait(false);
            return;
        }

        if (claimed is not null && !CheckPassword(claimed, password))
        {
            await RefuseAsync(context, HttpStatusCode.Unauthorized, "GET", claimed, grantType, service, scopes, "incorrect username or password").ConfigureAwait(false);
            return;
        }

        await IssueAsync(context, "GET", claimed, claimed, grantType, service, scopes, offline && claimed is not null).ConfigureAwait(false);
    }

    private async Task HandlePostAsync(HttpContext context)
    {
        var form = context.Request.HasFormContentType
            ? await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)
            : FormCollection.Empty;
        var grantType = form["grant_type"].ToString();
        var service = form["service"].ToString();
        var scopes = SplitScopes(form["scope"]);
        switch (grantType)
        {
            case "password":
                var user = form["username"].ToString();
                if (!CheckPassword(user, form["password"].ToString()))
                {
                    await RefuseAsync(context, HttpStatusCode.Unauthorized, "POST", user, grantType, service, scopes, "incorrect username or password").ConfigureAwait(false);
                    return;
                }

                var offline = form["access_type"].ToString() == "offline";
                await IssueAsync(context, "POST", user, user, grantType, service, scopes, offline).ConfigureAwait(false);
                return;
            case "refresh_token":
                if (!_refreshTokens.TryGetValue(form["refresh_token"].ToString(), out var account))
                {
                    await RefuseAsync(context, HttpStatusCode.Unauthorized, "POST", null, grantType, service, scopes, "invalid refresh token").ConfigureAwait(false);
                    return;
                }

                await IssueAsync(context, "POST", account, account, grantType, service, scopes, refresh: false).ConfigureAwait(false);
                return;
            default:
                await RefuseAsync(context, HttpStatusCode.BadRequest, "POST", null, grantType, service, scopes, "unsupported grant_type").ConfigureAwait(false);
                return;
        }
    }

    private async Task IssueAsync(
        HttpContext context, string method, string? account, string? claimed, string grantType, string service, IReadOnlyList<string> scopes, bool refresh)
    {
        if (service != Options.Service)
        {
            await RefuseAsync(context, HttpStatusCode.BadRequest, method, claimed, grantType, service, scopes, "unknown service").ConfigureAwait(false);
            return;
        }

        var access = GrantedAccess(account, scopes);
        var now = DateTimeOffset.UtcNow;
        var token = _signer.Sign(w =>
        {
            w.WriteString("iss", Options.Issuer);
            w.WriteString("sub", account ?? string.Empty);
            w.WriteString("aud", Options.Service);
            w.WriteNumber("exp", (now + Options.TokenLifetime).ToUnixTimeSeconds());
            w.WriteNumber("nbf", now.ToUnixTimeSeconds());
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteString("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
            w.WriteStartArray("access");
            foreach (var (type, name, actions) in access)
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                w.WriteString("name", name);
                w.WriteStartArray("actions");
                actions.ForEach(w.WriteStringValue);
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
        var refreshToken = refresh && account is not null ? IssueRefreshToken(account) : null;
        var granted = access.Select(a => $"{a.Type}:{a.Name}:{string.Join(',', a.Actions)}").ToList();
        _requests.Enqueue(new TokenRequestRecord(method, account, claimed, grantType, service, scopes, granted, 200, refreshToken is not null));

        context.Response.ContentType = "application/json";
        await WriteJsonAsync(context, w =>
        {
            w.WriteString("token", token);
            w.WriteString("access_token", token);
            w.WriteNumber("expires_in", (long)Options.TokenLifetime.TotalSeconds);
            w.WriteString("issued_at", now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (method == "POST")
            {
                w.WriteString("scope", string.Join(' ', granted));
            }

            if (refreshToken is not null)
            {
                w.WriteString("refresh_token", refreshToken);
            }
        }).ConfigureAwait(false);
    }

    private async Task RefuseAsync(
        HttpContext context, HttpStatusCode status, string method, string? claimed, string grantType, string? service, IReadOnlyList<string> scopes, string detail)
    {
        _requests.Enqueue(new TokenRequestRecord(method, null, claimed, grantType, service, scopes, [], (int)status, false));
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await WriteJsonAsync(context, w => w.WriteString("details", detail)).ConfigureAwait(false);
    }

    private List<(string Type, string Name, List<string> Actions)> GrantedAccess(string? account, IReadOnlyList<string> scopes)
    {
        var access = new List<(string Type, string Name, List<string> Actions)>();
        foreach (var scope in scopes)
        {
            if (ParseScope(scope) is not { } parsed)
            {
                continue;
            }

            var grants = Options.Grants.Where(g => g.Covers(account, parsed.Type, parsed.Name)).ToList();
            var allowed = parsed.Actions
                .Where(action => grants.Any(g => g.Actions.Contains("*") || g.Actions.Contains(action)))
                .ToList();
            if (allowed.Count == 0)
            {
                continue;
            }

            var index = access.FindIndex(a => a.Type == parsed.Type && a.Name == parsed.Name);
            if (index < 0)
            {
                access.Add((parsed.Type, parsed.Name, allowed));
            }
            else
            {
                access[index].Actions.AddRange(allowed.Except(access[index].Actions));
            }
        }

        return access;
    }

    // type:name:actions, where the name may itself hold ':' (a registry host with a port), so split at the first
    // and the last colon.
    private static (string Type, string Name, string[] Actions)? ParseScope(string scope)
    {
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first <= 0 || last <= first + 1)
        {
            return null;
        }

        return (scope[..first], scope[(first + 1)..last], scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
    }

    // Clients send one scope parameter per resource; the OAuth2 form joins several with spaces.
    private static List<string> SplitScopes(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(v => (v ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    private static (string? User, string? Password) ReadBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, null);
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? (decoded, string.Empty) : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (string.Empty, null);
        }
    }

    private bool CheckPassword(string user, string? password) =>
        password is not null && Options.Users.TryGetValue(user, out var expected) &&
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(password));

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> writeMembers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }
}
