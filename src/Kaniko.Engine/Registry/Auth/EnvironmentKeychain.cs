namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Credentials from environment variables, for CI systems that hand out secrets that way:
/// <c>KANIKO_REGISTRY_USERNAME</c> with <c>KANIKO_REGISTRY_PASSWORD</c>, or <c>KANIKO_REGISTRY_IDENTITY_TOKEN</c>,
/// used only for the registries listed in <c>KANIKO_REGISTRY_HOSTS</c> (comma-separated <c>host[:port]</c>).
/// </summary>
/// <remarks>
/// The host list is required on purpose: a build pulls base images from registries other than the one it pushes
/// to, and a password must not be offered to all of them.
/// </remarks>
internal sealed class EnvironmentKeychain : IKeychain
{
    /// <summary>The variable listing the registries the credential is for.</summary>
    public const string HostsVariable = "KANIKO_REGISTRY_HOSTS";

    /// <summary>The variable holding the user name.</summary>
    public const string UsernameVariable = "KANIKO_REGISTRY_USERNAME";

    /// <summary>The variable holding the password.</summary>
    public const string PasswordVariable = "KANIKO_REGISTRY_PASSWORD";

    /// <summary>The variable holding an identity (refresh) token, used instead of a password.</summary>
    public const string IdentityTokenVariable = "KANIKO_REGISTRY_IDENTITY_TOKEN";

    private readonly Func<string, string?> _getVariable;

    /// <summary>Creates a keychain over the process environment, or over <paramref name="getVariable"/> in tests.</summary>
    public EnvironmentKeychain(Func<string, string?>? getVariable = null) =>
        _getVariable = getVariable ?? Environment.GetEnvironmentVariable;

    /// <inheritdoc />
    public string Description => "KANIKO_REGISTRY_* environment variables";

    /// <inheritdoc />
    public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registryHost);
        var hosts = (_getVariable(HostsVariable) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (!hosts.Any(h => RegistryHostNames.SameRegistry(h, registryHost)))
        {
            return ValueTask.FromResult(RegistryCredential.Anonymous);
        }

        var username = _getVariable(UsernameVariable);
        var password = _getVariable(PasswordVariable);
        var identityToken = _getVariable(IdentityTokenVariable);
        var source = "environment variable " + HostsVariable;
        if (!string.IsNullOrEmpty(identityToken))
        {
            return ValueTask.FromResult(RegistryCredential.FromIdentityToken(identityToken, NullIfEmpty(username), source));
        }

        return ValueTask.FromResult(!string.IsNullOrEmpty(username) && !string.IsNullOrEmpty(password)
            ? RegistryCredential.FromPassword(username, password, source)
            : RegistryCredential.Anonymous);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
