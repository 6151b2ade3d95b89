using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kaniko.Testing;

/// <summary>A single-platform image stored in an OCI image layout folder.</summary>
/// <param name="Directory">The layout folder (holds <c>oci-layout</c>, <c>index.json</c> and <c>blobs/</c>).</param>
/// <param name="Tag">The <c>org.opencontainers.image.ref.name</c> of the image in <c>index.json</c>.</param>
/// <param name="ManifestDigest">Digest of the OCI image manifest.</param>
/// <param name="ConfigDigest">Digest of the image configuration.</param>
/// <param name="LayerDigests">Digests of the compressed layers, bottom first.</param>
/// <param name="DiffIds">Digests of the uncompressed layers, bottom first.</param>
/// <param name="Os">The image's operating system.</param>
/// <param name="Architecture">The image's architecture.</param>
public sealed record OciLayoutImage(
    string Directory, string Tag, string ManifestDigest, string ConfigDigest,
    IReadOnlyList<string> LayerDigests, IReadOnlyList<string> DiffIds, string Os, string Architecture)
{
    /// <summary>The containers-image transport reference: <c>oci:DIR:TAG</c>.</summary>
    public string TransportReference => $"oci:{Directory}:{Tag}";

    /// <summary>Reads the image tagged <paramref name="tag"/> back from the layout in <paramref name="directory"/>.</summary>
    public static OciLayoutImage Read(string directory, string tag)
    {
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "index.json")));
        var descriptor = index.RootElement.GetProperty("manifests").EnumerateArray()
            .FirstOrDefault(m => m.TryGetProperty("annotations", out var a)
                && a.TryGetProperty(OciLayoutWriter.RefNameAnnotation, out var name) && name.GetString() == tag);
        if (descriptor.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"no image tagged {tag} in {directory}/index.json");
        }

        var manifestDigest = descriptor.GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(OciLayoutWriter.BlobPath(directory, manifestDigest)));
        var configDigest = manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        var layers = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
        using var config = JsonDocument.Parse(File.ReadAllBytes(OciLayoutWriter.BlobPath(directory, configDigest)));
        var diffIds = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!).ToList();
        return new OciLayoutImage(
            directory, tag, manifestDigest, configDigest, layers, diffIds,
            config.RootElement.GetProperty("os").GetString()!, config.RootElement.GetProperty("architecture").GetString()!);
    }
}

/// <summary>Writes an OCI image layout holding one image: blobs by digest, an OCI manifest and a one-entry index.</summary>
public static class OciLayoutWriter
{
    /// <summary>The annotation that names an image inside an OCI layout.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    private const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    private const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>The path of blob <paramref name="digest"/> inside the layout in <paramref name="directory"/>.</summary>
    public static string BlobPath(string directory, string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        var separator = digest.IndexOf(':', StringComparison.Ordinal);
        return Path.Combine(directory, "blobs", digest[..separator], digest[(separator + 1)..]);
    }

    /// <summary>Writes the image made of <paramref name="configJson"/> and <paramref name="layers"/> as <paramref name="tag"/>.</summary>
    /// <param name="directory">An empty or missing folder to write the layout into.</param>
    /// <param name="tag">The name recorded in <c>index.json</c>.</param>
    /// <param name="configJson">The exact bytes of the image configuration.</param>
    /// <param name="layers">The layers, bottom first; their diff ids must match the configuration.</param>
    /// <param name="os">The platform OS, recorded in the index descriptor.</param>
    /// <param name="architecture">The platform architecture, recorded in the index descriptor.</param>
    /// <param name="variant">The architecture variant (<c>v8</c> for arm64), or <c>null</c> for none.</param>
    public static OciLayoutImage Write(
        string directory, string tag, byte[] configJson, IReadOnlyList<LayerBlob> layers, string os, string architecture, string? variant = null)
    {
        ArgumentNullException.ThrowIfNull(configJson);
        ArgumentNullException.ThrowIfNull(layers);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");

        var configDigest = WriteBlob(directory, configJson);
        foreach (var layer in layers)
        {
            WriteBlob(directory, layer.Compressed);
        }

        return WriteManifestAndIndex(
            directory, tag, (configDigest, configJson.Length), [.. layers.Select(l => (l.Digest, l.DiffId, (long)l.Compressed.Length))], os, architecture, variant);
    }

    /// <summary>
    /// Writes the manifest of an image whose config and layer blobs are already in the layout, and an
    /// <c>index.json</c> naming it <paramref name="tag"/>.
    /// </summary>
    /// <param name="directory">The layout folder.</param>
    /// <param name="tag">The name recorded in <c>index.json</c>.</param>
    /// <param name="config">The configuration blob's digest and size.</param>
    /// <param name="layers">Each layer's digest, diff id and compressed size, bottom first.</param>
    /// <param name="os">The platform OS, recorded in the index descriptor.</param>
    /// <param name="architecture">The platform architecture, recorded in the index descriptor.</param>
    /// <param name="variant">The architecture variant, or <c>null</c>.</param>
    public static OciLayoutImage WriteManifestAndIndex(
        string directory, string tag, (string Digest, long Size) config, IReadOnlyList<(string Digest, string DiffId, long Size)> layers,
        string os, string architecture, string? variant = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var manifest = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", ManifestMediaType);
            w.WritePropertyName("config");
            WriteDescriptor(w, ConfigMediaType, config.Digest, config.Size);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(w, LayerMediaType, layer.Digest, layer.Size);
            }

            w.WriteEndArray();
        });
        var manifestDigest = WriteBlob(directory, manifest);

        var index = Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", IndexMediaType);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", ManifestMediaType);
            w.WriteString("digest", manifestDigest);
            w.WriteNumber("size", manifest.Length);
            w.WriteStartObject("annotations");
            w.WriteString(RefNameAnnotation, tag);
            w.WriteEndObject();
            w.WriteStartObject("platform");
            w.WriteString("architecture", architecture);
            w.WriteString("os", os);
            if (variant is not null)
            {
                w.WriteString("variant", variant);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        File.WriteAllBytes(Path.Combine(directory, "index.json"), index);

        return new OciLayoutImage(
            directory, tag, manifestDigest, config.Digest,
            layers.Select(l => l.Digest).ToList(), layers.Select(l => l.DiffId).ToList(), os, architecture);
    }

    /// <summary>
    /// Serialises one JSON object compactly; the bytes returned are the ones that get hashed. The relaxed encoder keeps
    /// '+' in media types literal, as registries and other tools write them (the default escapes it as \u002B).
    /// </summary>
    public static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        ArgumentNullException.ThrowIfNull(writeProperties);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter writer, string mediaType, string digest, long size)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", mediaType);
        writer.WriteString("digest", digest);
        writer.WriteNumber("size", size);
        writer.WriteEndObject();
    }

    /// <summary>Writes <paramref name="content"/> as a blob of the layout in <paramref name="directory"/> and returns its digest.</summary>
    public static string WriteBlob(string directory, byte[] content)
    {
        var digest = ReproducibleLayer.Sha256(content);
        var path = BlobPath(directory, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return digest;
    }
}
