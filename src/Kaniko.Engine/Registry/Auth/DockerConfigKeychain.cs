using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Credentials from docker's <c>config.json</c>, looked up as the docker CLI does: a registry's own helper in
/// <c>credHelpers</c> first, then the default helper <c>credsStore</c>, then the inline <c>auths</c> entry.
/// A missing file means anonymous. The file is read once, on first use (or <see cref="Open"/>); a file that cannot be
/// used (not JSON, a malformed entry, unreadable) counts as no file for every registry, with a warning naming it, as
/// the docker CLI warns "Error loading config file" and goes on.
/// </summary>
/// <remarks>
/// One deviation from docker: when <c>credsStore</c> has nothing for a registry, the inline <c>auths</c> entry is
/// still used. Hand-written CI configs often mix both, and docker's answer there (no credentials at all) only
/// surfaces as a confusing "authentication required" later.
/// </remarks>
internal sealed class DockerConfigKeychain : IKeychain
{
    private readonly Lazy<(DockerConfigFile? File, BuildWarning? Problem)> _file;
    private readonly Func<string, string, CredentialHelperClient> _createHelper;

    /// <summary>Creates a keychain over a config file.</summary>
    /// <param name="configPath">The file to read; it need not exist.</param>
    /// <param name="createHelper">Creates the client for a helper (name, config file); the default runs it from <c>PATH</c>.</param>
    public DockerConfigKeychain(string configPath, Func<string, string, CredentialHelperClient>? createHelper = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        ConfigPath = configPath;
        _createHelper = createHelper ?? ((name, file) => new CredentialHelperClient(name, file));
        _file = new(Read, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// The keychain docker itself would use: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.
    /// </summary>
    /// <param name="getVariable">Reads an environment variable; the process environment when null.</param>
    public static DockerConfigKeychain FromEnvironment(Func<string, string?>? getVariable = null) =>
        new(DockerConfigFile.DefaultPath(getVariable),
            getVariable is null ? null : (name, file) => new CredentialHelperClient(name, file, getVariable: getVariable));

    /// <summary>The config file consulted.</summary>
    public string ConfigPath { get; }

    /// <inheritdoc />
    public string Description => ConfigPath;

    /// <inheritdoc />
    public IReadOnlyList<BuildWarning> Open() => _file.Value.Problem is { } problem ? [problem] : [];

    /// <inheritdoc />
    public async ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registryHost);
        var file = _file.Value.File;
        if (file is null)
        {
            return RegistryCredential.Anonymous;
        }

        if (RegistryHostNames.TryFindEntry(file.CredentialHelpers, registryHost, out _, out var helper) && !string.IsNullOrEmpty(helper))
        {
            return await new CredentialHelperKeychain(_createHelper(helper, file.Path)).ResolveAsync(registryHost, cancellationToken).ConfigureAwait(false);
        }

        if (file.CredentialsStore is { } store)
        {
            var stored = await new CredentialHelperKeychain(_createHelper(store, file.Path)).ResolveAsync(registryHost, cancellationToken).ConfigureAwait(false);
            if (!stored.IsAnonymous)
            {
                return stored;
            }
        }

        return RegistryHostNames.TryFindEntry(file.Auths, registryHost, out _, out var inline) ? inline : RegistryCredential.Anonymous;
    }

    // The message names the file and the place, never a value from it (the parser's own words could quote a secret).
    private (DockerConfigFile? File, BuildWarning? Problem) Read()
    {
        try
        {
            return (DockerConfigFile.Load(ConfigPath), null);
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.DockerConfigInvalid)
        {
            return (null, new BuildWarning(e.Code, e.Detail + Strings.AuthDockerConfigIgnored));
        }
    }
}
