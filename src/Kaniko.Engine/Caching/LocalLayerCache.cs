using System.Globalization;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Caching;

/// <summary>
/// The layer cache on disk, beside the base-image cache (<c>--cache-dir</c>): one small JSON file per key under
/// <c>ROOT/layers/v1/KEY.json</c> describing the layer (digests, size, media type, when it was stored), and the
/// compressed blob itself in the <see cref="BlobStore"/>, shared with base images. Both are written to a temporary
/// file and renamed, so concurrent builds and killed processes never leave a half-written entry behind.
/// </summary>
internal sealed class LocalLayerCache : ILayerCache
{
    private const int SchemaVersion = 1;

    private readonly BlobStore _store;
    private readonly TimeSpan _ttl;
    private readonly TimeProvider _time;

    /// <summary>A cache inside <paramref name="store"/>'s root whose entries live <paramref name="ttl"/>.</summary>
    public LocalLayerCache(BlobStore store, TimeSpan ttl, TimeProvider? time = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _ttl = ttl;
        _time = time ?? TimeProvider.System;
        Directory = Path.Combine(store.Root, "layers", "v" + SchemaVersion.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The folder of the entries.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public string Description => "local " + _store.Root;

    /// <summary>The entry file of <paramref name="key"/> (whether or not it exists).</summary>
    public string PathOf(CacheKey key) => Path.Combine(Directory, key.Value + ".json");

    /// <inheritdoc />
    /// <exception cref="KanikoException">The entry exists but cannot be read (<see cref="DiagnosticCodes.LayerCacheEntryUnreadable"/>).</exception>
    public async Task<LayerCacheHit?> TryGetAsync(CacheKey key, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(PathOf(key), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        Entry entry;
        try
        {
            entry = Entry.Parse(bytes);
        }
        catch (Exception e) when (e is JsonException or FormatException or KanikoException or KeyNotFoundException or InvalidOperationException)
        {
            throw new KanikoException(DiagnosticCodes.LayerCacheEntryUnreadable, string.Format(
                CultureInfo.InvariantCulture, Strings.LayerCacheEntryUnreadable, key.Short, Description, e.Message));
        }

        if (entry.Created + _ttl < _time.GetUtcNow() || !_store.Contains(entry.Digest))
        {
            return null;
        }

        return new LayerCacheHit(new StoredLayer(_store, entry.Digest, entry.DiffId, entry.Size, entry.MediaType), entry.Created, Description, entry.Changes);
    }

    /// <inheritdoc />
    public async Task StoreAsync(CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(record);
        await _store.EnsureAsync(layer.Digest, layer.Size, layer.OpenCompressedAsync, cancellationToken).ConfigureAwait(false);
        var entry = new Entry(_time.GetUtcNow(), layer.MediaType, layer.Digest, layer.DiffId, layer.Size, record.CreatedBy, record.Changes);
        System.IO.Directory.CreateDirectory(Directory);
        var temporary = PathOf(key) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N");
        try
        {
            await File.WriteAllBytesAsync(temporary, entry.ToJson(key), cancellationToken).ConfigureAwait(false);
            File.Move(temporary, PathOf(key), overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private sealed record Entry(DateTimeOffset Created, MediaType MediaType, Digest Digest, Digest DiffId, long Size, string CreatedBy, IReadOnlyList<string>? Changes)
    {
        public static Entry Parse(byte[] bytes)
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.GetProperty("schemaVersion").GetInt32() != SchemaVersion)
            {
                throw new FormatException("unknown schema version " + root.GetProperty("schemaVersion").GetRawText());
            }

            return new Entry(
                DateTimeOffset.Parse(root.GetProperty("created").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                new MediaType(root.GetProperty("mediaType").GetString()!),
                Digest.Parse(root.GetProperty("digest").GetString()!),
                Digest.Parse(root.GetProperty("diffId").GetString()!),
                root.GetProperty("size").GetInt64(),
                root.GetProperty("createdBy").GetString() ?? "",
                root.TryGetProperty("changes", out var changes) ? [.. changes.EnumerateArray().Select(c => c.GetString()!)] : null);
        }

        public byte[] ToJson(CacheKey key)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("schemaVersion", SchemaVersion);
                writer.WriteString("key", key.Value);
                writer.WriteString("created", Created.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                writer.WriteString("mediaType", MediaType.ToString());
                writer.WriteString("digest", Digest.ToString());
                writer.WriteString("diffId", DiffId.ToString());
                writer.WriteNumber("size", Size);
                writer.WriteString("createdBy", CreatedBy);
                if (Changes is not null)
                {
                    writer.WriteStartArray("changes");
                    foreach (var change in Changes)
                    {
                        writer.WriteStringValue(change);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }
    }
}
