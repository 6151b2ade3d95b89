namespace Kaniko.Engine.Registry.Auth;

/// <summary>Asks several keychains in order and answers with the first credential that is not anonymous.</summary>
internal sealed class ChainedKeychain : IKeychain
{
    private readonly IReadOnlyList<IKeychain> _keychains;

    /// <summary>Creates a chain; earlier keychains win.</summary>
    public ChainedKeychain(params IEnumerable<IKeychain> keychains)
    {
        ArgumentNullException.ThrowIfNull(keychains);
        _keychains = [.. keychains];
    }

    /// <summary>
    /// The keychain a build uses unless told otherwise: <see cref="EnvironmentKeychain"/> first (it answers only for
    /// the registries it lists), then docker's config file with its credential helpers
    /// (<see cref="DockerConfigKeychain.FromEnvironment"/>).
    /// </summary>
    /// <param name="getVariable">Reads an environment variable; the process environment when null.</param>
    public static ChainedKeychain CreateDefault(Func<string, string?>? getVariable = null) =>
        new(new EnvironmentKeychain(getVariable), DockerConfigKeychain.FromEnvironment(getVariable));

    /// <inheritdoc />
    public string Description => _keychains.Count == 0 ? "no credential sources" : string.Join(" or ", _keychains.Select(k => k.Description));

    /// <inheritdoc />
    public IReadOnlyList<Diagnostics.BuildWarning> Open() => [.. _keychains.SelectMany(k => k.Open())];

    /// <inheritdoc />
    public async ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        foreach (var keychain in _keychains)
        {
            var credential = await keychain.ResolveAsync(registryHost, cancellationToken).ConfigureAwait(false);
            if (!credential.IsAnonymous)
            {
                return credential;
            }
        }

        return RegistryCredential.Anonymous;
    }
}
