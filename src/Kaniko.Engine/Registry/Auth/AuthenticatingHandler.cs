using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// The authentication handshake of the OCI distribution protocol, as an <see cref="HttpClient"/> handler. It sends
/// the request; when the registry answers 401 with a <c>WWW-Authenticate</c> challenge it resolves the registry's
/// credential from the keychain, obtains Basic or Bearer authorization for the scopes the request needs, and
/// retries once. It remembers each registry's challenge, so later requests are authorized up front, and caches
/// tokens per registry, service and scopes until shortly before they expire.
/// </summary>
/// <remarks>
/// <para>The caller states the scopes a request needs with <see cref="SetScopes"/> (stored in
/// <see cref="HttpRequestMessage.Options"/> under <see cref="ScopesKey"/>); the scope named in the registry's
/// challenge is added to them.</para>
/// <para>Safety rules. Credentials, and tokens obtained with them, are never sent over plain http unless the
/// registry is listed in <see cref="RegistryAuthOptions.InsecureRegistries"/>. Authorization is attached only to
/// requests for the registry host it belongs to; redirects are the client's business: build the inner handler
/// with <c>AllowAutoRedirect = false</c> and follow redirects with a new request (this handler then authorizes
/// it only if the new host is itself a registry that challenges). If the inner handler follows redirects itself,
/// .NET drops the <c>Authorization</c> header on the redirected request, which keeps the same guarantee.</para>
/// <para>Request bodies. A request is replayed after a 401 only if its body can be sent twice: no body, an
/// in-memory body, or a body of known length up to <see cref="RegistryAuthOptions.MaxReplayBufferSize"/>, which is
/// buffered. For a larger or streaming body the handler first learns the registry's challenge (from an earlier
/// answer, or by pinging <c>/v2/</c>) and sends the body once, already authorized; a 401 to that request is
/// final.</para>
/// <para>A 401 that survives the retry becomes a <see cref="KanikoException"/> that names the registry, the
/// repository and the credential source (<see cref="DiagnosticCodes.RegistryAuthenticationRequired"/> or
/// <see cref="DiagnosticCodes.RegistryAuthenticationFailed"/>). Other statuses, 403 included, go back to the
/// caller, which knows what they mean for its operation.</para>
/// </remarks>
internal sealed class AuthenticatingHandler : DelegatingHandler
{
    /// <summary>The request option holding the scopes a request needs.</summary>
    public static readonly HttpRequestOptionsKey<IReadOnlyList<RegistryScope>> ScopesKey = new("Kaniko.Registry.Scopes");

    private readonly IKeychain _keychain;
    private readonly RegistryAuthOptions _options;
    private readonly TokenCache _tokens;
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Task<RegistryCredential>> _credentials = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<TokenCacheKey, Lazy<Task<BearerToken>>> _inflight = new();
    private readonly HttpMessageInvoker? _tokenTransport;
    private TokenClient? _tokenClient;

    /// <summary>Creates a handler.</summary>
    /// <param name="keychain">Where credentials come from.</param>
    /// <param name="options">Insecure registries, clock and limits; defaults when null.</param>
    /// <param name="tokenTransport">
    /// Sends token requests; when null they go through this handler's inner handler (not through the
    /// authentication logic, so a token server is never sent registry credentials it did not ask for).
    /// </param>
    /// <param name="tokenCache">A token cache to share between handlers; a private one when null.</param>
    public AuthenticatingHandler(IKeychain keychain, RegistryAuthOptions? options = null, HttpMessageInvoker? tokenTransport = null, TokenCache? tokenCache = null)
    {
        _keychain = keychain ?? throw new ArgumentNullException(nameof(keychain));
        _options = options ?? new RegistryAuthOptions();
        _tokenTransport = tokenTransport;
        _tokens = tokenCache ?? new TokenCache(_options.TimeProvider);
    }

    /// <summary>Records the scopes a request needs, for this handler to ask tokens for.</summary>
    public static void SetScopes(HttpRequestMessage request, params IEnumerable<RegistryScope> scopes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(scopes);
        request.Options.Set(ScopesKey, [.. scopes]);
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        var host = uri.Authority;
        var scopes = request.Options.TryGetValue(ScopesKey, out var stated) ? stated : [];
        var replayable = await TryMakeReplayableAsync(request.Content, cancellationToken).ConfigureAwait(false);

        if (!_challenges.TryGetValue(host, out var known) && !replayable)
        {
            known = await PingAsync(uri, cancellationToken).ConfigureAwait(false);
        }

        var upFront = known is null ? Authorization.None : await AuthorizeAsync(request, host, known, scopes, cancellationToken).ConfigureAwait(false);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = Choose(AuthChallenge.FromResponse(response), host);
        if (challenge is null)
        {
            return response;
        }

        _challenges[host] = challenge;
        if (upFront.TokenKey is { } refusedToken)
        {
            // The token we sent was refused (expired early, revoked, or too narrow): never send it again.
            _tokens.Invalidate(refusedToken);
        }

        // Replaying is pointless when the body cannot be sent again, or when the same Basic credentials were just
        // refused (unlike a token, they cannot be renewed).
        if (!replayable || (upFront.Applied && known is { IsBasic: true } && challenge.IsBasic))
        {
            response.Dispose();
            throw await RefusedAsync(host, scopes, cancellationToken).ConfigureAwait(false);
        }

        response.Dispose();
        var retry = await AuthorizeAsync(request, host, challenge, scopes, cancellationToken).ConfigureAwait(false);
        if (!retry.Applied)
        {
            throw await RefusedAsync(host, scopes, cancellationToken).ConfigureAwait(false);
        }

        response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Unauthorized && Choose(AuthChallenge.FromResponse(response), host) is not null)
        {
            if (retry.TokenKey is { } refused)
            {
                _tokens.Invalidate(refused);
            }

            response.Dispose();
            throw await RefusedAsync(host, scopes, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>
    /// Sets the request's Authorization for a challenge. Not applied when there is nothing to authorize with (an
    /// anonymous credential facing a Basic challenge); the token's cache key when a fetched token was used.
    /// </summary>
    private async Task<Authorization> AuthorizeAsync(HttpRequestMessage request, string host, AuthChallenge challenge, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        var credential = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var plainHttp = request.RequestUri!.Scheme == Uri.UriSchemeHttp;
        if (challenge.IsBasic)
        {
            if (!credential.HasPassword)
            {
                return Authorization.None;
            }

            EnsureTransportAllowed(plainHttp, host, scopes);
            request.Headers.Authorization = TokenClient.BasicHeader(credential);
            return new Authorization(true, null);
        }

        if (!string.IsNullOrEmpty(credential.RegistryToken))
        {
            EnsureTransportAllowed(plainHttp, host, scopes);
            request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.BearerScheme, credential.RegistryToken);
            return new Authorization(true, null);
        }

        var allScopes = WithChallengeScopes(scopes, challenge);
        var key = TokenCacheKey.For(host, challenge.Service, allScopes);
        if (!_tokens.TryGet(key, out var token))
        {
            var tokenRequest = new TokenRequest(host, challenge, allScopes, credential) { Target = Target(host, scopes), KeychainDescription = _keychain.Description };
            token = await FetchTokenOnceAsync(key, tokenRequest, cancellationToken).ConfigureAwait(false);
        }

        if (token.FromCredentials)
        {
            EnsureTransportAllowed(plainHttp, host, scopes);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue(AuthChallenge.BearerScheme, token.Token);
        return new Authorization(true, key);
    }

    private async Task<BearerToken> FetchTokenOnceAsync(TokenCacheKey key, TokenRequest tokenRequest, CancellationToken cancellationToken)
    {
        // Parallel requests for the same scopes (a push uploads many blobs at once) share one token request; like the
        // keychain lookup, it is not cancelled by one of its waiters.
        // GetOrAdd may run its factory on several threads at once, so the factory only makes a Lazy: the one stored
        // is the only one started. A fetch that ended after the caller's cache miss has already cached its token
        // (it is cached before the fetch leaves the table), so the new fetch looks there first.
        var entry = _inflight.GetOrAdd(key, _ => new Lazy<Task<BearerToken>>(
            () => _tokens.TryGet(key, out var cached) ? Task.FromResult(cached) : FetchAndCacheAsync(key, tokenRequest)));
        var fetch = entry.Value;
        // Once done, the fetch leaves the table (the token cache answers from then on), even if every waiter gave up.
        _ = fetch.ContinueWith(_ => _inflight.TryRemove(new KeyValuePair<TokenCacheKey, Lazy<Task<BearerToken>>>(key, entry)),
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<BearerToken> FetchAndCacheAsync(TokenCacheKey key, TokenRequest tokenRequest)
    {
        var token = await TokenClientFor().GetTokenAsync(tokenRequest, CancellationToken.None).ConfigureAwait(false);
        _tokens.Set(key, token);
        return token;
    }

    private async Task<RegistryCredential> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        // One keychain lookup per registry: credential helpers are processes, and a build makes many requests.
        // The lookup itself is not cancelled by one caller, as other requests may be waiting for it.
        var lookup = _credentials.GetOrAdd(host, h => _keychain.ResolveAsync(h, CancellationToken.None).AsTask());
        try
        {
            return await lookup.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lookup.IsFaulted)
        {
            _credentials.TryRemove(new KeyValuePair<string, Task<RegistryCredential>>(host, lookup));
            throw;
        }
    }

    private async Task<AuthChallenge?> PingAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var ping = new HttpRequestMessage(HttpMethod.Get, new Uri(uri.GetLeftPart(UriPartial.Authority) + "/v2/"));
        using var response = await base.SendAsync(ping, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return null;
        }

        var challenge = Choose(AuthChallenge.FromResponse(response), uri.Authority);
        if (challenge is not null)
        {
            _challenges[uri.Authority] = challenge;
        }

        return challenge;
    }

    private async Task<bool> TryMakeReplayableAsync(HttpContent? content, CancellationToken cancellationToken)
    {
        switch (content)
        {
            case null:
            case ByteArrayContent:
            case ReadOnlyMemoryContent:
                return true;
        }

        if (content.Headers.ContentLength is { } length && length <= _options.MaxReplayBufferSize)
        {
            // Buffered content serializes from its buffer every time, so it can be sent twice.
            await content.LoadIntoBufferAsync(_options.MaxReplayBufferSize, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private void EnsureTransportAllowed(bool plainHttp, string host, IReadOnlyList<RegistryScope> scopes)
    {
        if (plainHttp && !_options.IsInsecure(host))
        {
            throw new KanikoException(DiagnosticCodes.InsecureCredentialTransport,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthInsecureCredentialTransport, Target(host, scopes)));
        }
    }

    private async Task<KanikoException> RefusedAsync(string host, IReadOnlyList<RegistryScope> scopes, CancellationToken cancellationToken)
    {
        var credential = await ResolveAsync(host, cancellationToken).ConfigureAwait(false);
        var target = Target(host, scopes);
        return credential.IsAnonymous
            ? new KanikoException(DiagnosticCodes.RegistryAuthenticationRequired,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthRequired, target, _keychain.Description))
            : new KanikoException(DiagnosticCodes.RegistryAuthenticationFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.AuthRejected, target, credential.Source ?? _keychain.Description,
                    "the registry answered 401 Unauthorized"));
    }

    /// <summary>Bearer when offered (it scopes access), else Basic; an unsupported scheme alone is an error.</summary>
    private static AuthChallenge? Choose(IReadOnlyList<AuthChallenge> challenges, string host)
    {
        if (challenges.Count == 0)
        {
            return null;
        }

        var chosen = challenges.FirstOrDefault(c => c.IsBearer && !string.IsNullOrEmpty(c.Realm)) ?? challenges.FirstOrDefault(c => c.IsBasic);
        return chosen ?? throw new KanikoException(DiagnosticCodes.AuthenticationChallengeUnsupported,
            string.Format(CultureInfo.InvariantCulture, Strings.AuthChallengeUnsupported, host, string.Join(", ", challenges.Select(c => c.Scheme))));
    }

    private static IReadOnlyList<RegistryScope> WithChallengeScopes(IReadOnlyList<RegistryScope> scopes, AuthChallenge challenge)
    {
        if (string.IsNullOrWhiteSpace(challenge.Scope))
        {
            return RegistryScope.Normalize(scopes);
        }

        var named = new List<RegistryScope>(scopes);
        foreach (var text in challenge.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                named.Add(RegistryScope.Parse(text));
            }
            catch (FormatException)
            {
                // A scope we cannot read is one we cannot ask for; the stated scopes still apply.
            }
        }

        return RegistryScope.Normalize(named);
    }

    private static string Target(string host, IReadOnlyList<RegistryScope> scopes) =>
        scopes.FirstOrDefault(s => s.ResourceType == "repository") is { } repository ? $"{host}/{repository.ResourceName}" : host;

    private TokenClient TokenClientFor() =>
        _tokenClient ??= new TokenClient(_tokenTransport ?? new HttpMessageInvoker(InnerHandler!, disposeHandler: false), _options);

    /// <summary>Whether a request was given an Authorization header, and the cache key of the token it carries, if any.</summary>
    private readonly record struct Authorization(bool Applied, TokenCacheKey? TokenKey)
    {
        public static Authorization None => default;
    }
}
