namespace Kaniko.Engine.Registry.Auth;

/// <summary>
/// How docker names registries in its config file: keys may carry a scheme and a path
/// (<c>https://host:5000/v1/</c>), and Docker Hub is stored under its historical index URL whichever of its
/// host names the image reference used.
/// </summary>
internal static class RegistryHostNames
{
    /// <summary>The key <c>docker login</c> uses for Docker Hub in <c>config.json</c> and with credential helpers.</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    private static readonly string[] DockerHubHosts = ["docker.io", "index.docker.io", "registry-1.docker.io"];

    /// <summary>True for the host names that all mean Docker Hub.</summary>
    public static bool IsDockerHub(string registryHost) =>
        DockerHubHosts.Contains(registryHost, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reduces a config key to <c>host[:port]</c> as docker's <c>ConvertToHostname</c> does: drop an
    /// <c>http://</c> or <c>https://</c> prefix, then everything from the first <c>/</c>.
    /// </summary>
    public static string ToHostName(string configKey)
    {
        ArgumentNullException.ThrowIfNull(configKey);
        var rest = configKey;
        foreach (var scheme in (ReadOnlySpan<string>)["https://", "http://"])
        {
            if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            {
                rest = rest[scheme.Length..];
                break;
            }
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }

    /// <summary>True when two names (hosts or config keys) denote the same registry, Docker Hub aliases included.</summary>
    public static bool SameRegistry(string left, string right)
    {
        var a = ToHostName(left);
        var b = ToHostName(right);
        return string.Equals(a, b, StringComparison.OrdinalIgnoreCase) || (IsDockerHub(a) && IsDockerHub(b));
    }

    /// <summary>The server URL a credential helper is asked about: the Docker Hub key for Docker Hub, else the host.</summary>
    public static string ServerUrlFor(string registryHost) =>
        IsDockerHub(registryHost) ? DockerHubConfigKey : registryHost;

    /// <summary>
    /// Finds the entry of a config-file map that belongs to a registry: an exact key first (the host itself, or the
    /// Docker Hub key for Docker Hub), then any key that reduces to the same registry, in ordinal key order so the
    /// answer does not depend on the file's order.
    /// </summary>
    public static bool TryFindEntry<T>(IReadOnlyDictionary<string, T> entries, string registryHost, out string key, out T value)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var candidate in (ReadOnlySpan<string>)[ServerUrlFor(registryHost), registryHost])
        {
            if (entries.TryGetValue(candidate, out value!))
            {
                key = candidate;
                return true;
            }
        }

        foreach (var pair in entries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (SameRegistry(pair.Key, registryHost))
            {
                (key, value) = (pair.Key, pair.Value);
                return true;
            }
        }

        (key, value) = ("", default!);
        return false;
    }
}
