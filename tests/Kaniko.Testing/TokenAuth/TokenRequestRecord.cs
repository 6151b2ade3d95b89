namespace Kaniko.Testing.TokenAuth;

/// <summary>One request the token server answered, without any secret, for tests to assert on scopes and counts.</summary>
/// <param name="Method">GET (Docker's token endpoint) or POST (the OAuth2 form).</param>
/// <param name="Account">The authenticated user; null when anonymous or when authentication failed.</param>
/// <param name="ClaimedAccount">The user name the client presented, even when its password was wrong.</param>
/// <param name="GrantType">The POST form's <c>grant_type</c>, or <c>basic</c>/<c>anonymous</c> for a GET.</param>
/// <param name="Service">The requested service.</param>
/// <param name="Scopes">The requested scopes, in request order, e.g. <c>repository:team/app:pull,push</c>.</param>
/// <param name="GrantedAccess">The access the issued token holds, as scopes; empty when no token was issued.</param>
/// <param name="StatusCode">The HTTP status the server answered.</param>
/// <param name="RefreshTokenIssued">Whether the answer held a refresh token.</param>
public sealed record TokenRequestRecord(
    string Method,
    string? Account,
    string? ClaimedAccount,
    string GrantType,
    string? Service,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> GrantedAccess,
    int StatusCode,
    bool RefreshTokenIssued)
{
    /// <summary>One line for assertion messages: method, grant, accounts, scopes asked and granted, status.</summary>
    public override string ToString() =>
        $"{Method} {GrantType} account={Account ?? "-"} claimed={ClaimedAccount ?? "-"} service={Service} " +
        $"scopes=[{string.Join(' ', Scopes)}] granted=[{string.Join(' ', GrantedAccess)}] -> {StatusCode}" +
        (RefreshTokenIssued ? " +refresh_token" : string.Empty);
}
