using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Obtains bearer tokens from a registry's token server, as the docker distribution token specification describes.
/// With a user name and password, or anonymously, it sends <c>GET realm?service=S&amp;scope=A&amp;scope=B</c> (with
/// Basic credentials when it has them); with an identity token it sends the OAuth2 form
/// <c>POST realm</c> with <c>grant_type=refresh_token</c>. The answer's <c>token</c> or <c>access_token</c> is the
/// bearer token, valid for <c>expires_in</c> seconds (60 when absent or smaller).
/// </summary>
internal sealed class TokenClient
{
    /// <summary>The lifetime assumed when the server gives none, and the floor the specification sets.</summary>
    public static readonly TimeSpan MinimumLifetime = TimeSpan.FromSeconds(60);

    private const int MaxResponseBytes = 1024 * 1024;
    private const int MaxQuotedBody = 200;

    private readonly HttpMessageInvoker _transport;
    private readonly RegistryAuthOptions _options;

    /// <summary>Creates a client that sends its requests through <paramref name="transport"/>.</summary>
    public TokenClient(HttpMessageInvoker transport, RegistryAuthOptions? options = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _options = options ?? new RegistryAuthOptions();
    }

    /// <summary>Asks the token server named by a Bearer challenge for a token covering the request's scopes.</summary>
    /// <exception cref="KanikoException">The server refused, failed, or answered without a token.</exception>
    public async Task<BearerToken> GetTokenAsync(TokenRequest tokenRequest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tokenRequest);
        var (registryHost, challenge, scopes, credential) = tokenRequest;
        var target = tokenRequest.Target ?? registryHost;

        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
        {
            throw new KanikoException(DiagnosticCodes.AuthenticationChallengeUnsupported,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthChallengeUnsupported, registryHost,
                    "a Bearer challenge without an http or https realm"));
        }

        var useRefreshToken = !string.IsNullOrEmpty(credential.IdentityToken);
        var sendsSecret = useRefreshToken || credential.HasPassword;
        if (sendsSecret && realm.Scheme == Uri.UriSchemeHttp && !_options.IsInsecure(registryHost))
        {
            throw new KanikoException(DiagnosticCodes.InsecureCredentialTransport,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthInsecureCredentialTransport, $"{target} (token server {realm.Authority})"));
        }

        var normalized = RegistryScope.Normalize(scopes);
        using var request = useRefreshToken
            ? RefreshTokenRequest(realm, challenge.Service, normalized, credential.IdentityToken!)
            : GetRequest(realm, challenge.Service, normalized, credential);
        using var response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw RequestFailed(response.StatusCode, realm, target, credential, tokenRequest.KeychainDescription, Scrub(body, credential));
        }

        return ParseResponse(body, realm, target, sendsSecret);
    }

    private static HttpRequestMessage GetRequest(Uri realm, string? service, IReadOnlyList<RegistryScope> scopes, RegistryCredential credential)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        query.AddRange(scopes.Select(s => "scope=" + Uri.EscapeDataString(s.ToString())));
        if (credential.HasPassword)
        {
            // docker sends the account too; some token servers use it to pick the user before checking the password.
            query.Add("account=" + Uri.EscapeDataString(credential.Username!));
        }

        var builder = new UriBuilder(realm);
        var existing = builder.Query.TrimStart('?');
        builder.Query = string.Join('&', (existing.Length > 0 ? [existing] : Array.Empty<string>()).Concat(query));
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credential.HasPassword)
        {
            request.Headers.Authorization = BasicHeader(credential);
        }

        return request;
    }

    private HttpRequestMessage RefreshTokenRequest(Uri realm, string? service, IReadOnlyList<RegistryScope> scopes, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", _options.ClientId),
        };
        if (!string.IsNullOrEmpty(service))
        {
            form.Add(new("service", service));
        }

        if (scopes.Count > 0)
        {
            // The OAuth2 form carries one scope parameter with the scopes separated by spaces.
            form.Add(new("scope", string.Join(' ', scopes)));
        }

        return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
    }

    /// <summary>The <c>Authorization: Basic</c> header for a user name and password.</summary>
    internal static AuthenticationHeaderValue BasicHeader(RegistryCredential credential) =>
        new(AuthChallenge.BasicScheme, Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":" + credential.Password)));

    private BearerToken ParseResponse(byte[] body, Uri realm, string target, bool fromCredentials)
    {
        string? token = null;
        long expiresIn = 0;
        DateTimeOffset? issuedAt = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                // Both names mean the same; the OAuth2 one wins when a server sends both, as docker does.
                token = StringMember(root, "access_token") is { Length: > 0 } access ? access : StringMember(root, "token");
                if (root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number && expires.TryGetInt64(out var seconds))
                {
                    expiresIn = seconds;
                }

                if (StringMember(root, "issued_at") is { } issued
                    && DateTimeOffset.TryParse(issued, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    issuedAt = parsed;
                }
            }
        }
        catch (JsonException)
        {
            throw Invalid(realm, target, "the answer is not JSON");
        }

        if (string.IsNullOrEmpty(token))
        {
            throw Invalid(realm, target, "the answer has neither token nor access_token");
        }

        var lifetime = expiresIn < MinimumLifetime.TotalSeconds ? MinimumLifetime : TimeSpan.FromSeconds(expiresIn);
        return new BearerToken(token, _options.TimeProvider.GetUtcNow(), lifetime, issuedAt, fromCredentials);
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    break;
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static string Scrub(byte[] body, RegistryCredential credential)
    {
        var text = Encoding.UTF8.GetString(body).ReplaceLineEndings(" ").Trim();
        foreach (var secret in (ReadOnlySpan<string?>)[credential.Password, credential.IdentityToken, credential.RegistryToken])
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text.Length > MaxQuotedBody ? text[..MaxQuotedBody] + "..." : text;
    }

    private static KanikoException RequestFailed(HttpStatusCode status, Uri realm, string target, RegistryCredential credential, string? keychain, string body)
    {
        var answer = string.Format(CultureInfo.InvariantCulture, "{0} {1}", (int)status, status);
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return credential.IsAnonymous
                ? new KanikoException(DiagnosticCodes.RegistryAuthenticationRequired,
                    string.Format(CultureInfo.InvariantCulture, Strings.AuthRequired, target, keychain ?? "no credential source"))
                : new KanikoException(DiagnosticCodes.RegistryAuthenticationFailed,
                    string.Format(CultureInfo.InvariantCulture, Strings.AuthRejected, target, credential.Source ?? "the keychain",
                        $"token server {realm.GetLeftPart(UriPartial.Path)} answered {answer}"));
        }

        return new KanikoException(DiagnosticCodes.TokenRequestFailed,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthTokenRequestFailed, realm.GetLeftPart(UriPartial.Path), target, answer,
                body.Length == 0 ? "(empty body)" : body));
    }

    private static KanikoException Invalid(Uri realm, string target, string reason) =>
        new(DiagnosticCodes.TokenResponseInvalid,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthTokenResponseInvalid, realm.GetLeftPart(UriPartial.Path), target, reason));
}

/// <summary>What to ask a token server for.</summary>
/// <param name="RegistryHost">The registry the token is for (<c>host[:port]</c>); decides whether plain http may carry credentials.</param>
/// <param name="Challenge">The registry's Bearer challenge (its <c>realm</c> and <c>service</c>).</param>
/// <param name="Scopes">The scopes to ask for.</param>
/// <param name="Credential">The credential to ask with; anonymous for an anonymous token.</param>
internal sealed record TokenRequest(string RegistryHost, AuthChallenge Challenge, IReadOnlyList<RegistryScope> Scopes, RegistryCredential Credential)
{
    /// <summary>What the token is for, for messages (for example <c>host:5000/team/app</c>); the registry host when null.</summary>
    public string? Target { get; init; }

    /// <summary>What the keychain consulted (see <see cref="IKeychain.Description"/>), for "no credentials found in ..." messages.</summary>
    public string? KeychainDescription { get; init; }
}
