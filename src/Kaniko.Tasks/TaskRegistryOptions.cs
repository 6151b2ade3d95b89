using Kaniko.Engine;

namespace Kaniko.Tasks;

/// <summary>The registry settings every task that talks to a registry shares, from the SDK's properties.</summary>
internal static class TaskRegistryOptions
{
    /// <summary>
    /// Plain HTTP for the listed registries (<c>KanikoInsecureRegistries</c>, <c>DOTNET_CONTAINER_INSECURE_REGISTRIES</c>);
    /// <paramref name="insecure"/> and <paramref name="skipTlsVerify"/> mean the registries pushed to (and pulls from
    /// them, a base image in the same registry), not every registry the Dockerfile names.
    /// Credentials come as the .NET SDK reads them too (<c>DOTNET_CONTAINER_*_REGISTRY_UNAME</c>/<c>_PWORD</c>).
    /// </summary>
    internal static RegistrySettings Create(IEnumerable<string> pushRegistries, bool insecure, string? insecureRegistries, bool skipTlsVerify)
    {
        var targets = pushRegistries.ToList();
        var plainHttp = new HashSet<string>(ImageNames.SplitList(insecureRegistries), StringComparer.OrdinalIgnoreCase);
        var skipTls = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var registry in targets)
        {
            if (insecure)
            {
                plainHttp.Add(registry);
            }

            if (skipTlsVerify)
            {
                skipTls.Add(registry);
            }
        }

        return new RegistrySettings { InsecureRegistries = plainHttp, SkipTlsVerifyRegistries = skipTls, DotnetSdkCredentials = true };
    }
}
