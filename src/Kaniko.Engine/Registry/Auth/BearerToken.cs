namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// A token issued by a registry's token server. Its <see cref="ToString"/> never shows the token itself.
/// </summary>
/// <param name="Token">The bearer token to send as <c>Authorization: Bearer ...</c>.</param>
/// <param name="ObtainedAt">When the answer arrived, by the local clock.</param>
/// <param name="Lifetime">How long the server says it lasts (<c>expires_in</c>, at least 60 seconds).</param>
/// <param name="IssuedAt">When the server says it issued it (<c>issued_at</c>), if it said; informative only.</param>
/// <param name="FromCredentials">
/// True when the token was obtained with credentials (and so is itself a credential that must not travel over plain
/// http); false for an anonymous token.
/// </param>
/// <remarks>
/// Expiry counts from the local arrival time rather than from <paramref name="IssuedAt"/>: the server's clock may
/// be skewed from ours, and the arrival is never earlier than the issue, so the margin of the cache absorbs the
/// difference.
/// </remarks>
internal sealed record BearerToken(string Token, DateTimeOffset ObtainedAt, TimeSpan Lifetime, DateTimeOffset? IssuedAt, bool FromCredentials)
{
    /// <summary>When the token stops being valid, by the local clock.</summary>
    public DateTimeOffset ExpiresAt => ObtainedAt + Lifetime;

    /// <summary>Describes the token without its value.</summary>
    public override string ToString() =>
        $"BearerToken {{ Token = ***, ExpiresAt = {ExpiresAt:O}, FromCredentials = {FromCredentials} }}";
}
