using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// Base images pushed once per registry for the whole test run: pushing the .NET image copies every layer through
/// skopeo, too slow to repeat in each test.
/// </summary>
public static class SharedBaseImages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<(string, DotnetImageFlavor), string> Pushed = [];

    /// <summary>The reference of <c>dotnet/aspnet:10.0</c> in <paramref name="registry"/>, pushed on first use.</summary>
    public static Task<string> AspnetAsync(RegistryFixture registry) => DotnetAsync(registry, DotnetImageFlavor.Aspnet);

    /// <summary>The reference of the <paramref name="flavor"/> image (<c>dotnet/runtime:10.0</c>, ...) in <paramref name="registry"/>, pushed on first use.</summary>
    public static async Task<string> DotnetAsync(RegistryFixture registry, DotnetImageFlavor flavor)
    {
        ArgumentNullException.ThrowIfNull(registry);
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!Pushed.TryGetValue((registry.Host, flavor), out var reference))
            {
                reference = (await BaseImages.PushDotnetAsync(registry, flavor).ConfigureAwait(false)).Reference;
                Pushed[(registry.Host, flavor)] = reference;
            }

            return reference;
        }
        finally
        {
            Gate.Release();
        }
    }
}
