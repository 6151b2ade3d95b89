using System.Globalization;
using System.Net;
using System.Text.Json;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Caching;

/// <summary>
/// The layer cache in a registry repository (<c>--cache-repo</c>), laid out as kaniko lays it out: one image per key,
/// tagged with the key, holding the step's layer as its only layer, with the time it was stored as the config's
/// <c>created</c> (the time to live counts from there) and the step as its history. A hit fetches the manifest and
/// config only; the layer is downloaded (through the blob store) only when a later step reads it, and a push to a
/// repository of the same registry mounts it instead of uploading it.
/// </summary>
internal sealed class RegistryLayerCache : ILayerCache
{
    /// <summary>The config label that holds <see cref="LayerCacheRecord.Changes"/> (a JSON array of strings).</summary>
    public const string ChangesLabel = "dev.kaniko-dotnet.cache.changes";

    private readonly IRegistryClient _client;
    private readonly BlobStore _store;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    /// <summary>A cache in <paramref name="repository"/> whose entries live <paramref name="ttl"/>.</summary>
    /// <param name="client">The registry client (its retries decide how long an unreachable registry delays a step).</param>
    /// <param name="repository">The cache repository.</param>
    /// <param name="store">Where a cached layer is kept once a step reads it.</param>
    /// <param name="ttl">How long an entry is used after it was stored.</param>
    /// <param name="time">The clock (tests move it).</param>
    public RegistryLayerCache(IRegistryClient client, RepositoryName repository, BlobStore store, TimeSpan ttl, TimeProvider? time = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Repository = repository ?? throw new ArgumentNullException(nameof(repository));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _ttl = ttl;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The cache repository.</summary>
    public RepositoryName Repository { get; }

    /// <inheritdoc />
    public string Description => Repository.ToString();

    /// <summary>The image reference of <paramref name="key"/>'s entry: the repository, tagged with the key.</summary>
    public ImageReference ReferenceOf(CacheKey key) => ImageReference.Parse(Repository + ":" + key.Value);

    /// <inheritdoc />
    /// <exception cref="Diagnostics.KanikoException">The registry cannot be reached or refuses the request (not for a missing entry).</exception>
    public async Task<LayerCacheHit?> TryGetAsync(CacheKey key, CancellationToken cancellationToken)
    {
        RemoteImage image;
        try
        {
            image = await new ImageFetcher(_client).OpenAsync(ReferenceOf(key), platform: null, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        // An entry that is not one layer is not ours (or not kaniko's): use none of it.
        if (image.Layers.Count != 1
            || !DateTimeOffset.TryParse(image.Config.Value.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created)
            || created + _ttl < _time.GetUtcNow())
        {
            return null;
        }

        IReadOnlyList<string>? changes = null;
        if (image.Config.Value.Config?.Labels is { } labels && labels.TryGetValue(ChangesLabel, out var text))
        {
            using var document = JsonDocument.Parse(text);
            changes = [.. document.RootElement.EnumerateArray().Select(c => c.GetString()!)];
        }

        return new LayerCacheHit(new CachedLayer(image.Layers[0], _store), created, Description, changes);
    }

    /// <inheritdoc />
    public async Task StoreAsync(CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(record);
        var builder = ImageBuilder.FromScratch(record.Platform)
            .AppendLayer(layer, record.CreatedBy)
            .WithCreated(_time.GetUtcNow());
        if (record.Changes is not null)
        {
            builder.WithLabel(ChangesLabel, JsonSerializer.Serialize(record.Changes, LayerCacheJsonContext.Default.IReadOnlyListString));
        }

        var image = builder.Build();
        await new ImagePusher(_client).PushAsync(image, [ReferenceOf(key)], cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Source-generated JSON for the small documents of the layer cache.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class LayerCacheJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
