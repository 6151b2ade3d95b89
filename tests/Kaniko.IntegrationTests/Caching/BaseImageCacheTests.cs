using System.Runtime.Versioning;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.IntegrationTests.Registry;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Caching;

/// <summary>The blob store as the base-image cache, in front of the real registry.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class BaseImageCacheTests(RegistryFixture registry) : IDisposable
{
    private readonly TempDirectory _cache = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task A_base_layer_is_downloaded_once_and_then_read_from_the_cache()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        var reference = ImageReference.Parse(pushed.Reference);

        var (firstDiffId, firstLog) = await ReadFirstLayerThroughCacheAsync(reference);
        var (secondDiffId, secondLog) = await ReadFirstLayerThroughCacheAsync(reference);

        var layerDigest = pushed.Layout.LayerDigests[0];
        Assert.Equal(1, firstLog.Count("GET", "/blobs/" + layerDigest));
        Assert.Equal(0, secondLog.Count("GET", "/blobs/" + layerDigest));
        Assert.Equal(firstDiffId, secondDiffId);
        Assert.True(new BlobStore(_cache.Path).Contains(Digest.Parse(layerDigest)));
    }

    private async Task<(Digest DiffId, RequestLog Log)> ReadFirstLayerThroughCacheAsync(ImageReference reference)
    {
        RequestLog? log = null;
        using var client = new RegistryClient(
            new Kaniko.Engine.Registry.RegistryOptions { InsecureRegistries = new HashSet<string> { registry.Host } },
            new ChainedKeychain(),
            inner => log = new RequestLog(inner));
        var remote = await new ImageFetcher(client).OpenAsync(reference, cancellationToken: Cancellation);
        var image = new CachedImage(remote, new BlobStore(_cache.Path));

        await using var tar = await image.Layers[0].OpenUncompressedAsync(Cancellation);
        var diffId = await Digest.ComputeAsync(tar, cancellationToken: Cancellation);
        Assert.Equal(image.Layers[0].DiffId, diffId);
        return (diffId, log!);
    }
}
