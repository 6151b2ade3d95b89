namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Finds the credential to use for a registry, the way <c>docker</c> finds it in its config file and credential
/// helpers. A keychain answers <see cref="RegistryCredential.Anonymous"/> when it knows nothing about a registry; it
/// throws only when a source it was told to use is broken (a malformed config file, a failing credential helper).
/// </summary>
internal interface IKeychain
{
    /// <summary>
    /// What this keychain consults, for messages such as "no credentials found in /root/.docker/config.json";
    /// never contains a secret.
    /// </summary>
    string Description { get; }

    /// <summary>Resolves the credential for a registry host.</summary>
    /// <param name="registryHost">The registry as <c>host</c> or <c>host:port</c>, without scheme or path (for example <c>127.0.0.1:5000</c>).</param>
    /// <param name="cancellationToken">Cancels a running credential helper.</param>
    ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads now, once, what the keychain reads (a config file), so that every registry is answered the same way,
    /// and returns what could not be used as warnings naming it. A build calls this before its first request.
    /// </summary>
    IReadOnlyList<Diagnostics.BuildWarning> Open() => [];
}
