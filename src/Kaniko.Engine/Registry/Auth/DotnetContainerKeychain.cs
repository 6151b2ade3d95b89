namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// Credentials from the variables the .NET SDK's container support reads, so a pipeline that pushes with
/// <c>/t:PublishContainer</c> pushes with Kaniko.Sdk unchanged. For the registry the image goes to:
/// <c>DOTNET_CONTAINER_PUSH_REGISTRY_UNAME</c>/<c>_PWORD</c>, else <c>DOTNET_CONTAINER_REGISTRY_UNAME</c>/<c>_PWORD</c>,
/// else the legacy <c>SDK_CONTAINER_REGISTRY_UNAME</c>/<c>_PWORD</c>, else (a base image pulled from that registry)
/// the pull pair. For every other registry only <c>DOTNET_CONTAINER_PULL_REGISTRY_UNAME</c>/<c>_PWORD</c>: the push
/// password is never offered to a base image's registry. Each pair counts only when both halves are set, as in the
/// .NET SDK; the variables win over docker's config file there too, so this keychain comes before it in the chain.
/// </summary>
internal sealed class DotnetContainerKeychain(IReadOnlyCollection<string> outputRegistries, Func<string, string?>? getVariable = null) : IKeychain
{
    private static readonly (string User, string Password)[] PushPairs =
    [
        ("DOTNET_CONTAINER_PUSH_REGISTRY_UNAME", "DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"),
        ("DOTNET_CONTAINER_REGISTRY_UNAME", "DOTNET_CONTAINER_REGISTRY_PWORD"),
        ("SDK_CONTAINER_REGISTRY_UNAME", "SDK_CONTAINER_REGISTRY_PWORD"),
        ("DOTNET_CONTAINER_PULL_REGISTRY_UNAME", "DOTNET_CONTAINER_PULL_REGISTRY_PWORD"),
    ];

    private static readonly (string User, string Password)[] PullPairs =
    [
        ("DOTNET_CONTAINER_PULL_REGISTRY_UNAME", "DOTNET_CONTAINER_PULL_REGISTRY_PWORD"),
    ];

    private readonly Func<string, string?> _read = getVariable ?? Environment.GetEnvironmentVariable;

    /// <summary>The keychain a Kaniko.Sdk build uses: <c>KANIKO_REGISTRY_*</c>, then the .NET SDK's variables, then docker's config.</summary>
    internal static IKeychain Chain(IReadOnlyCollection<string> outputRegistries) =>
        new ChainedKeychain(new EnvironmentKeychain(), new DotnetContainerKeychain(outputRegistries), DockerConfigKeychain.FromEnvironment());

    /// <inheritdoc />
    public string Description => "DOTNET_CONTAINER_*_REGISTRY_UNAME/PWORD environment variables";

    /// <inheritdoc />
    public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default)
    {
        var pairs = outputRegistries.Any(r => RegistryHostNames.SameRegistry(r, registryHost)) ? PushPairs : PullPairs;
        foreach (var (userVariable, passwordVariable) in pairs)
        {
            var user = _read(userVariable);
            var password = _read(passwordVariable);
            if (!string.IsNullOrEmpty(user) && !string.IsNullOrEmpty(password))
            {
                return ValueTask.FromResult(RegistryCredential.FromPassword(user, password, "environment variable " + userVariable));
            }
        }

        return ValueTask.FromResult(RegistryCredential.Anonymous);
    }
}
