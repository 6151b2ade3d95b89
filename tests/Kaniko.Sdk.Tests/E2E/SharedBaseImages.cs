using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// Base images pushed once per registry for the whole test run: pushing the .NET image copies every layer through
/// skopeo, too slow to repeat in each test.
/// </summary>
public static class SharedBaseImages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Aspnet = new(StringComparer.Ordinal);

    /// <summary>The reference of <c>dotnet/aspnet:10.0</c> in <paramref name="registry"/>, pushed on first use.</summary>
    public static async Task<string> AspnetAsync(RegistryFixture registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!Aspnet.TryGetValue(registry.Host, out var reference))
            {
                reference = (await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Aspnet).ConfigureAwait(false)).Reference;
                Aspnet[registry.Host] = reference;
            }

            return reference;
        }
        finally
        {
            Gate.Release();
        }
    }
}
