using System.Collections.Concurrent;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>Identifies a cached token: the registry, the token service and the exact set of scopes.</summary>
/// <param name="RegistryHost">The registry, <c>host[:port]</c>.</param>
/// <param name="Service">The challenge's <c>service</c>, or empty.</param>
/// <param name="Scopes">The normalized scopes, space-separated (see <see cref="RegistryScope.Normalize"/>).</param>
internal readonly record struct TokenCacheKey(string RegistryHost, string Service, string Scopes)
{
    /// <summary>Builds the key for a registry, service and set of scopes, in any order.</summary>
    public static TokenCacheKey For(string registryHost, string? service, IEnumerable<RegistryScope> scopes) =>
        new(registryHost.ToLowerInvariant(), service ?? "", string.Join(' ', RegistryScope.Normalize(scopes)));
}

/// <summary>
/// Bearer tokens by registry, service and scopes, reused until shortly before they expire (a fifth of their lifetime,
/// at most 30 seconds, so a request never leaves with a token about to lapse on the way) and dropped when the
/// registry answers 401 to them.
/// </summary>
internal sealed class TokenCache
{
    private static readonly TimeSpan MaxMargin = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<TokenCacheKey, BearerToken> _tokens = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty cache on a clock (the system clock when null).</summary>
    public TokenCache(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Finds a token that is still good for a while.</summary>
    public bool TryGet(TokenCacheKey key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out BearerToken token)
    {
        if (_tokens.TryGetValue(key, out token) && IsFresh(token))
        {
            return true;
        }

        token = null;
        return false;
    }

    /// <summary>Stores or replaces a token.</summary>
    public void Set(TokenCacheKey key, BearerToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        _tokens[key] = token;
    }

    /// <summary>Forgets a token, after the registry refused it.</summary>
    public void Invalidate(TokenCacheKey key) => _tokens.TryRemove(key, out _);

    private bool IsFresh(BearerToken token)
    {
        var margin = TimeSpan.FromTicks(Math.Min(MaxMargin.Ticks, Math.Max(0, token.Lifetime.Ticks / 5)));
        return _time.GetUtcNow() < token.ExpiresAt - margin;
    }
}
