using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Tests.Registry.Auth;

public class TokenCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TokenCacheKey Key = TokenCacheKey.For("reg.test", "svc", [RegistryScope.RepositoryPull("app")]);

    [Theory]
    // A 60 s token is reused for 48 s (a fifth of its life is kept as margin).
    [InlineData(60, 47, true)]
    [InlineData(60, 48, false)]
    // A long token keeps 30 s of margin at most.
    [InlineData(3600, 3569, true)]
    [InlineData(3600, 3570, false)]
    public void Tokens_are_reused_until_shortly_before_expiry(int lifetimeSeconds, int elapsedSeconds, bool reused)
    {
        var clock = new ManualTimeProvider(Start);
        var cache = new TokenCache(clock);
        cache.Set(Key, new BearerToken("t", Start, TimeSpan.FromSeconds(lifetimeSeconds), null, FromCredentials: false));

        clock.Advance(TimeSpan.FromSeconds(elapsedSeconds));

        Assert.Equal(reused, cache.TryGet(Key, out _));
    }

    [Fact]
    public void Invalidate_forgets_a_token()
    {
        var cache = new TokenCache(new ManualTimeProvider(Start));
        cache.Set(Key, new BearerToken("t", Start, TimeSpan.FromMinutes(5), null, FromCredentials: true));

        cache.Invalidate(Key);

        Assert.False(cache.TryGet(Key, out _));
    }
}
