namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// A keychain backed by one docker credential helper, as named by <c>credHelpers</c> or <c>credsStore</c> in the
/// docker config file. It asks for Docker Hub under the Docker Hub key, as <c>docker login</c> stored it.
/// </summary>
internal sealed class CredentialHelperKeychain : IKeychain
{
    /// <summary>Creates a keychain over a helper client.</summary>
    public CredentialHelperKeychain(CredentialHelperClient client) =>
        Client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>Creates a keychain for a helper named in a config file.</summary>
    public CredentialHelperKeychain(string helperName, string configFile)
        : this(new CredentialHelperClient(helperName, configFile))
    {
    }

    /// <summary>The helper client.</summary>
    public CredentialHelperClient Client { get; }

    /// <inheritdoc />
    public string Description => $"{Client.ExecutableName} (named in {Client.ConfigFile})";

    /// <inheritdoc />
    public async ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registryHost);
        return await Client.GetAsync(RegistryHostNames.ServerUrlFor(registryHost), cancellationToken).ConfigureAwait(false);
    }
}
