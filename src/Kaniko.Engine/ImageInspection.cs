using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>Reads what a host needs to know about an image in a registry without building anything.</summary>
public static class ImageInspection
{
    /// <summary>
    /// The environment (<c>Env</c>) of <paramref name="image"/>'s config for <paramref name="platform"/>: one manifest
    /// (or index and manifest) and one config read, no layer.
    /// </summary>
    /// <param name="image">The image reference.</param>
    /// <param name="platform">The platform to pick from an index, <c>os/arch[/variant]</c>.</param>
    /// <param name="settings">How to reach the registry.</param>
    /// <param name="pushRegistries">The registries the host pushes to, for <see cref="RegistrySettings.DotnetSdkCredentials"/>.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    /// <exception cref="Diagnostics.KanikoException">The image cannot be read.</exception>
    public static async Task<IReadOnlyList<string>> EnvironmentAsync(
        string image, string platform, RegistrySettings settings, IReadOnlyCollection<string> pushRegistries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var client = new RegistryClient(settings.ToOptions(), RequestMapping.Keychain(settings, pushRegistries));
        var opened = await new ImageFetcher(client).OpenAsync(ImageReference.Parse(image), Platform.Parse(platform), cancellationToken).ConfigureAwait(false);
        return opened.Config.Value.Config?.Env ?? [];
    }
}
