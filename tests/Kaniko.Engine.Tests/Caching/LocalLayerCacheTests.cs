using System.Text;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Caching;

public sealed class LocalLayerCacheTests : IDisposable
{
    private static readonly CacheKey Key = new CacheKeyBuilder().Add("test", "local").Build();
    private static readonly LayerCacheRecord Record = new("COPY a /b", Platform.Parse("linux/amd64"));

    private readonly TempDirectory _root = new("kaniko-layer-cache-");
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _root.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private async Task<FileBackedLayer> LayerAsync(string content)
    {
        var entries = new[] { LayerEntry.File("a.txt", Encoding.UTF8.GetBytes(content)) };
        return await new LayerWriter().WriteAsync(entries, _root.Combine("work"), Cancellation);
    }

    [Fact]
    public async Task A_stored_layer_is_found_with_its_digests_and_reads_back_verified()
    {
        var store = new BlobStore(_root.Combine("cache"));
        var cache = new LocalLayerCache(store, TimeSpan.FromHours(1), _clock);
        var layer = await LayerAsync("hello");

        Assert.Null(await cache.TryGetAsync(Key, Cancellation));
        await cache.StoreAsync(Key, layer, Record, Cancellation);
        var hit = await cache.TryGetAsync(Key, Cancellation);

        Assert.NotNull(hit);
        Assert.Equal((layer.Digest, layer.DiffId, layer.Size, layer.MediaType), (hit.Layer.Digest, hit.Layer.DiffId, hit.Layer.Size, hit.Layer.MediaType));
        Assert.Equal(_clock.GetUtcNow(), hit.Created);
        Assert.True(File.Exists(Path.Combine(_root.Path, "cache", "layers", "v1", Key.Value + ".json")));
        await using var read = await hit.Layer.OpenUncompressedAsync(Cancellation);
        await read.CopyToAsync(Stream.Null, Cancellation);
    }

    [Fact]
    public async Task An_entry_older_than_the_ttl_is_a_miss()
    {
        var cache = new LocalLayerCache(new BlobStore(_root.Combine("cache")), TimeSpan.FromHours(1), _clock);
        await cache.StoreAsync(Key, await LayerAsync("old"), Record, Cancellation);

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await cache.TryGetAsync(Key, Cancellation));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(await cache.TryGetAsync(Key, Cancellation));
    }

    [Fact]
    public async Task An_entry_whose_blob_is_gone_is_a_miss()
    {
        var store = new BlobStore(_root.Combine("cache"));
        var cache = new LocalLayerCache(store, TimeSpan.FromHours(1), _clock);
        var layer = await LayerAsync("gone");
        await cache.StoreAsync(Key, layer, Record, Cancellation);

        File.Delete(store.PathOf(layer.Digest));

        Assert.Null(await cache.TryGetAsync(Key, Cancellation));
    }

    [Fact]
    public async Task A_damaged_entry_is_reported_and_the_tiered_cache_treats_it_as_a_miss()
    {
        var store = new BlobStore(_root.Combine("cache"));
        var local = new LocalLayerCache(store, TimeSpan.FromHours(1), _clock);
        Directory.CreateDirectory(local.Directory);
        await File.WriteAllTextAsync(local.PathOf(Key), "{ not json", Cancellation);

        var error = await Assert.ThrowsAsync<KanikoException>(() => local.TryGetAsync(Key, Cancellation));
        Assert.Equal(DiagnosticCodes.LayerCacheEntryUnreadable, error.Code);

        var tiered = new LayerCache(new LayerCacheOptions { Enabled = true }, local, remote: null);
        Assert.Null(await tiered.TryGetAsync(Key, Cancellation));
        Assert.Equal(DiagnosticCodes.LayerCacheEntryUnreadable, Assert.Single(tiered.Warnings).Code);
    }

    [Fact]
    public async Task An_unreachable_remote_is_reported_once_and_left_alone_and_writes_never_throw()
    {
        var local = new LocalLayerCache(new BlobStore(_root.Combine("cache")), TimeSpan.FromHours(1), _clock);
        var remote = new FailingCache();
        var events = new List<BuildEvent>();
        var tiered = new LayerCache(new LayerCacheOptions { Enabled = true }, local, remote, new ListSink(events));
        var layer = await LayerAsync("x");

        Assert.Null(await tiered.TryGetAsync(Key, Cancellation));
        Assert.Null(await tiered.TryGetAsync(new CacheKeyBuilder().Add("other", "key").Build(), Cancellation));
        tiered.Store(Key, layer, Record, Cancellation);
        var warnings = await tiered.FlushAsync();

        Assert.Equal(1, remote.Lookups);
        Assert.Equal(0, remote.Writes);
        Assert.Equal(DiagnosticCodes.LayerCacheUnavailable, Assert.Single(warnings).Code);
        Assert.Single(events.OfType<WarningEvent>());
        Assert.NotNull(await local.TryGetAsync(Key, Cancellation));
    }

    [Fact]
    public async Task A_refused_write_is_a_warning()
    {
        var local = new LocalLayerCache(new BlobStore(_root.Combine("cache")), TimeSpan.FromHours(1), _clock);
        var remote = new FailingCache { FailLookups = false };
        var tiered = new LayerCache(new LayerCacheOptions { Enabled = true }, local, remote);

        Assert.Null(await tiered.TryGetAsync(Key, Cancellation));
        tiered.Store(Key, await LayerAsync("y"), Record, Cancellation);
        var warnings = await tiered.FlushAsync();

        Assert.Equal(1, remote.Writes);
        var warning = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.LayerCacheWriteFailed, warning.Code);
        Assert.Contains("COPY a /b", warning.Message, StringComparison.Ordinal);
    }

    private sealed class FailingCache : ILayerCache
    {
        public bool FailLookups { get; init; } = true;

        public int Lookups { get; private set; }

        public int Writes { get; private set; }

        public string Description => "failing.test/cache";

        public Task<LayerCacheHit?> TryGetAsync(CacheKey key, CancellationToken cancellationToken)
        {
            Lookups++;
            return FailLookups ? throw new HttpRequestException("connection refused") : Task.FromResult<LayerCacheHit?>(null);
        }

        public Task StoreAsync(CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken)
        {
            Writes++;
            throw new HttpRequestException("denied");
        }
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class ListSink(List<BuildEvent> events) : IBuildEventSink
    {
        public void Report(BuildEvent buildEvent)
        {
            lock (events)
            {
                events.Add(buildEvent);
            }
        }
    }

    [Fact]
    public async Task A_layer_prepared_in_the_background_is_stored_compressed_and_the_flush_waits_for_it()
    {
        var cache = new LayerCache(new LayerCacheOptions { Enabled = true }, new LocalLayerCache(new BlobStore(_root.Combine("cache")), TimeSpan.FromHours(1), _clock), remote: null);
        var writer = new LayerWriter();
        LayerEntry[] entries = [LayerEntry.File("a.txt", Encoding.UTF8.GetBytes("later"))];
        var plain = await writer.WriteUncompressedAsync(entries, _root.Combine("plain"), Cancellation);

        cache.Store(Key, async token => await writer.CompressAsync(plain, _root.Combine("work"), token), Record, Cancellation);
        var warnings = await cache.FlushAsync();

        Assert.Empty(warnings);
        var hit = await cache.TryGetAsync(Key, Cancellation);
        Assert.NotNull(hit);
        var atOnce = await writer.WriteAsync(entries, _root.Combine("at-once"), Cancellation);
        Assert.Equal((atOnce.MediaType, atOnce.Digest, atOnce.DiffId), (hit.Layer.MediaType, hit.Layer.Digest, hit.Layer.DiffId));
    }

    [Fact]
    public async Task A_preparation_that_fails_is_a_warning_not_a_failure()
    {
        var cache = new LayerCache(new LayerCacheOptions { Enabled = true }, new LocalLayerCache(new BlobStore(_root.Combine("cache")), TimeSpan.FromHours(1), _clock), remote: null);

        cache.Store(Key, _ => Task.FromException<ILayer>(new IOException("disk full")), Record, Cancellation);
        var warnings = await cache.FlushAsync();

        var warning = Assert.Single(warnings);
        Assert.Equal(DiagnosticCodes.LayerCacheWriteFailed, warning.Code);
        Assert.Contains("disk full", warning.Message, StringComparison.Ordinal);
        Assert.Null(await cache.TryGetAsync(Key, Cancellation));
    }
}
