using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Caching;

/// <summary>
/// The layer cache (<c>--cache</c>) in real builds from busybox in the real registry: hits and misses step by
/// step, the cache repository's images read back with skopeo, time to live, an unreachable cache repository.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class LayerCacheBuildTests(RegistryFixture registry) : IDisposable
{
    private const string Dockerfile = """
        FROM {0}
        ARG FLAVOUR=plain
        COPY first.txt /app/
        COPY second/ /app/second/
        COPY third.txt /app/
        """;

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    private async Task<string> WriteContextAsync()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", string.Format(System.Globalization.CultureInfo.InvariantCulture, Dockerfile, busybox.Reference));
        _build.Write("first.txt", "one\n");
        _build.Write("second/a.txt", "a\n");
        _build.Write("second/b.txt", "b\n");
        _build.Write("third.txt", "three\n");
        return busybox.Reference;
    }

    private BuildRequest CachedRequest(string destination, string? cacheDirectory = null, LayerCacheSettings? cache = null) => _build.Request(destination) with
    {
        Reproducible = true,
        CacheDirectory = cacheDirectory ?? _build.CacheDirectory,
        Cache = cache ?? new LayerCacheSettings { Enabled = true, CopyLayers = true },
    };

    private async Task<(BuildResult Result, List<LayerCacheLookupEvent> Lookups)> BuildAsync(BuildRequest request)
    {
        _build.Events.Clear();
        var result = await _build.BuildAsync(request);
        return (result, [.. _build.Events.OfType<LayerCacheLookupEvent>()]);
    }

    [Fact]
    public async Task An_unchanged_build_hits_every_step_and_gives_the_same_digest()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-same");

        var (cold, coldLookups) = await BuildAsync(CachedRequest(destination));
        var (warm, warmLookups) = await BuildAsync(CachedRequest(destination));

        Assert.Equal([false, false, false], coldLookups.Select(l => l.Hit));
        Assert.Equal([true, true, true], warmLookups.Select(l => l.Hit));
        Assert.All(warmLookups, l => Assert.StartsWith("local ", l.Source, StringComparison.Ordinal));
        Assert.Equal(coldLookups.Select(l => l.Key), warmLookups.Select(l => l.Key));
        Assert.Equal(cold.Digest, warm.Digest);
        Assert.Empty(warm.Warnings);

        // The registry cache: one image per key next to the destination, tagged with the key, one layer each,
        // whose layer is the built image's layer.
        var repository = ImageReference.Parse(destination).Context + "/cache";
        using var tags = await BuildHarness.SkopeoJsonAsync("list-tags", "--tls-verify=false", "docker://" + repository);
        var listed = tags.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).ToHashSet();
        Assert.Superset(listed, coldLookups.Select(l => l.Key).ToHashSet());
        var imageLayers = (await BuildHarness.ManifestAsync(destination)).GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
        for (var i = 0; i < coldLookups.Count; i++)
        {
            var entry = repository + ":" + coldLookups[i].Key;
            var manifest = await BuildHarness.ManifestAsync(entry);
            var layer = Assert.Single(manifest.GetProperty("layers").EnumerateArray());
            Assert.Equal(imageLayers[^(coldLookups.Count - i)], layer.GetProperty("digest").GetString());
            var config = await BuildHarness.ConfigAsync(entry);
            var created = DateTimeOffset.Parse(config.GetProperty("created").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(created > DateTimeOffset.UtcNow.AddHours(-1), "the cache image records when it was stored");
            Assert.Contains("COPY", config.GetProperty("history")[0].GetProperty("created_by").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_changed_file_invalidates_its_step_and_the_later_ones_only()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-change");
        await BuildAsync(CachedRequest(destination));

        _build.Write("second/b.txt", "b, changed\n");
        var (changed, lookups) = await BuildAsync(CachedRequest(destination));

        Assert.Equal([true, false, false], lookups.Select(l => l.Hit));
        var rootfs = await _build.UnpackAsync(destination);
        Assert.Equal("b, changed\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "app/second/b.txt"), BuildHarness.Cancellation));
        Assert.NotEqual(default, changed.Digest);
    }

    [Fact]
    public async Task A_changed_build_argument_invalidates_every_step_that_sees_it()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-arg");
        await BuildAsync(CachedRequest(destination));

        var (_, lookups) = await BuildAsync(CachedRequest(destination) with { BuildArgs = [new("FLAVOUR", "spicy")] });
        var (_, again) = await BuildAsync(CachedRequest(destination) with { BuildArgs = [new("FLAVOUR", "spicy")] });

        Assert.Equal([false, false, false], lookups.Select(l => l.Hit));
        Assert.Equal([true, true, true], again.Select(l => l.Hit));
    }

    [Fact]
    public async Task A_registry_hit_is_only_referenced_and_mounted_into_the_destination()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-remote");
        var (cold, _) = await BuildAsync(CachedRequest(destination));

        // A fresh cache folder: a new machine that shares only the registry cache.
        var fresh = _build.Path("fresh-cache");
        var other = _build.NewReference("cache-remote-other");
        var (warm, lookups) = await BuildAsync(CachedRequest(other, fresh) with
        {
            Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true, Repository = ImageReference.Parse(destination).Context + "/cache" },
        });

        Assert.Equal([true, true, true], lookups.Select(l => l.Hit));
        Assert.All(lookups, l => Assert.EndsWith("/cache", l.Source, StringComparison.Ordinal));
        Assert.Equal(cold.Digest, warm.Digest);
        var copyLayers = (await BuildHarness.ManifestAsync(other)).GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).TakeLast(3).ToList();
        var freshBlobs = Directory.Exists(Path.Combine(fresh, "blobs", "sha256")) ? Directory.GetFiles(Path.Combine(fresh, "blobs", "sha256")).Select(Path.GetFileName).ToHashSet() : [];
        Assert.All(copyLayers, digest => Assert.DoesNotContain(Digest.Parse(digest).Encoded, freshBlobs));
        Assert.All(warm.PushedBlobs.Where(b => copyLayers.Contains(b.Digest.ToString())),
            b => Assert.Contains(b.Outcome, new[] { BlobPushOutcome.Mounted, BlobPushOutcome.AlreadyPresent }));
    }

    [Fact]
    public async Task Entries_older_than_the_ttl_are_not_used()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-ttl");
        await BuildAsync(CachedRequest(destination));

        var expired = new LayerCacheSettings { Enabled = true, CopyLayers = true, Ttl = TimeSpan.FromMilliseconds(1) };
        var (_, local) = await BuildAsync(CachedRequest(destination, cache: expired));
        var (_, remote) = await BuildAsync(CachedRequest(destination, _build.Path("fresh-cache"), expired));
        var (_, fresh) = await BuildAsync(CachedRequest(destination, _build.Path("fresh-cache-2")));

        Assert.Equal([false, false, false], local.Select(l => l.Hit));
        Assert.Equal([false, false, false], remote.Select(l => l.Hit));
        Assert.Equal([true, true, true], fresh.Select(l => l.Hit));
    }

    [Fact]
    public async Task An_unreachable_cache_repository_is_a_warning_and_the_build_succeeds()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-unreachable");
        var cache = new LayerCacheSettings { Enabled = true, CopyLayers = true, Repository = "127.0.0.1:9/nowhere/cache" };

        var (result, lookups) = await BuildAsync(CachedRequest(destination) with
        {
            Cache = cache,
            Registry = _build.Request(destination).Registry with
            {
                InsecureRegistries = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { registry.Host, "127.0.0.1:9" },
            },
        });

        Assert.Equal([false, false, false], lookups.Select(l => l.Hit));
        var warning = Assert.Single(result.Warnings, w => w.Code == DiagnosticCodes.LayerCacheUnavailable);
        Assert.Contains("127.0.0.1:9/nowhere/cache", warning.Message, StringComparison.Ordinal);
        var (_, again) = await BuildAsync(CachedRequest(destination) with { Cache = cache });
        Assert.Equal([true, true, true], again.Select(l => l.Hit));
    }

    [Fact]
    public async Task Without_copy_layers_copies_are_not_looked_up()
    {
        await WriteContextAsync();
        var destination = _build.NewReference("cache-nocopy");

        var (_, lookups) = await BuildAsync(CachedRequest(destination, cache: new LayerCacheSettings { Enabled = true }));

        Assert.Empty(lookups);
    }
}
