using System.Text;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// What a keychain knows about how to log in to one registry: a user name and password, an identity token (an
/// OAuth2 refresh token, what <c>docker login</c> stores for some registries), or a registry token (a bearer token
/// sent as is). Anonymous when it holds none of them.
/// </summary>
/// <remarks>
/// The secrets never appear in <see cref="ToString"/> or in record printing, so a credential can be logged or
/// captured by a debugger display without leaking; only <see cref="Username"/> and <see cref="Source"/> are shown.
/// </remarks>
internal sealed record RegistryCredential
{
    private const string Redacted = "***";

    /// <summary>No credentials: requests go out without an <c>Authorization</c> header, or with an anonymous token.</summary>
    public static readonly RegistryCredential Anonymous = new();

    /// <summary>The user name, for Basic authentication or as the account of a token request.</summary>
    public string? Username { get; init; }

    /// <summary>The password, for Basic authentication or a token request.</summary>
    public string? Password { get; init; }

    /// <summary>An OAuth2 refresh token exchanged for access tokens with the POST form of the token flow.</summary>
    public string? IdentityToken { get; init; }

    /// <summary>A bearer token sent to the registry directly, without asking its token server.</summary>
    public string? RegistryToken { get; init; }

    /// <summary>Where the credential came from (a config file, a credential helper), for messages; never secret.</summary>
    public string? Source { get; init; }

    /// <summary>True when the credential holds nothing to authenticate with.</summary>
    public bool IsAnonymous =>
        string.IsNullOrEmpty(Username) && string.IsNullOrEmpty(Password)
        && string.IsNullOrEmpty(IdentityToken) && string.IsNullOrEmpty(RegistryToken);

    /// <summary>True when a user name and password are present, as Basic authentication needs.</summary>
    public bool HasPassword => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);

    /// <summary>A user name and password.</summary>
    public static RegistryCredential FromPassword(string username, string password, string? source = null) =>
        new() { Username = username, Password = password, Source = source };

    /// <summary>An identity (refresh) token, optionally with the user name it belongs to.</summary>
    public static RegistryCredential FromIdentityToken(string identityToken, string? username = null, string? source = null) =>
        new() { IdentityToken = identityToken, Username = username, Source = source };

    /// <summary>A registry (bearer) token sent as is.</summary>
    public static RegistryCredential FromRegistryToken(string registryToken, string? source = null) =>
        new() { RegistryToken = registryToken, Source = source };

    /// <summary>Describes the credential without its secrets, for example <c>RegistryCredential { Username = ci, Password = ***, Source = ... }</c>.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("RegistryCredential { ");
        if (PrintMembers(builder))
        {
            builder.Append(' ');
        }

        return builder.Append('}').ToString();
    }

    // Records print through PrintMembers; replacing it keeps every printing path (ToString, string interpolation of
    // the record, debugger displays that call ToString) free of secrets.
    private bool PrintMembers(StringBuilder builder)
    {
        if (IsAnonymous)
        {
            builder.Append("Anonymous");
        }
        else
        {
            var parts = new List<string>();
            if (Username is not null)
            {
                parts.Add("Username = " + Username);
            }

            AddRedacted(parts, nameof(Password), Password);
            AddRedacted(parts, nameof(IdentityToken), IdentityToken);
            AddRedacted(parts, nameof(RegistryToken), RegistryToken);
            builder.AppendJoin(", ", parts);
        }

        if (Source is not null)
        {
            builder.Append(", Source = ").Append(Source);
        }

        return true;
    }

    private static void AddRedacted(List<string> parts, string name, string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            parts.Add(name + " = " + Redacted);
        }
    }
}
