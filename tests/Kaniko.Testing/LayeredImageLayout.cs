using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kaniko.Testing;

/// <summary>One step of a layered base image: the layer it adds and what it records in the configuration.</summary>
/// <param name="Layer">The layer blob, already written into the new layout's <c>blobs/sha256</c>.</param>
/// <param name="CreatedBy">The history entry of the step.</param>
/// <param name="Environment"><c>NAME=value</c> variables the step sets (replacing a parent's of the same name).</param>
public sealed record ImageStep(FileLayerBlob Layer, string CreatedBy, IReadOnlyList<string> Environment);

/// <summary>
/// Writes OCI layouts of images made of several layers whose blobs are files (too large for memory): the first image
/// of a chain from scratch, each next one from its parent's layout plus one step, as Microsoft's .NET images stack
/// on Debian's. Parent blobs are hard-linked into the new layout when the file system allows it.
/// </summary>
public static class LayeredImageLayout
{
    private const string Created = "2024-01-01T00:00:00Z";
    private const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    private const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    private const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    private const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The folder of <paramref name="layout"/> where new layer blobs are written before <see cref="WriteAsync"/>.</summary>
    public static string BlobsDirectory(string layout)
    {
        var directory = Path.Combine(layout, "blobs", "sha256");
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>
    /// Writes the image <paramref name="tag"/> into <paramref name="directory"/>: the parent's layers and
    /// configuration (none for a first image) plus <paramref name="step"/>, with <paramref name="cmd"/> replacing
    /// the command when given.
    /// </summary>
    public static async Task<OciLayoutImage> WriteAsync(
        string directory, string tag, OciLayoutImage? parent, ImageStep step, string architecture,
        IReadOnlyList<string>? cmd = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(step);
        BlobsDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""", cancellationToken).ConfigureAwait(false);

        JsonObject config;
        List<(string Digest, long Size)> layers = [];
        if (parent is null)
        {
            config = new JsonObject
            {
                ["architecture"] = architecture,
                ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") },
                ["created"] = Created,
                ["history"] = new JsonArray(),
                ["os"] = "linux",
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
            };
        }
        else
        {
            config = JsonNode.Parse(await File.ReadAllBytesAsync(OciLayoutWriter.BlobPath(parent.Directory, parent.ConfigDigest), cancellationToken)
                .ConfigureAwait(false))!.AsObject();
            foreach (var digest in parent.LayerDigests)
            {
                await LinkOrCopyAsync(OciLayoutWriter.BlobPath(parent.Directory, digest), OciLayoutWriter.BlobPath(directory, digest), cancellationToken)
                    .ConfigureAwait(false);
                layers.Add((digest, new FileInfo(OciLayoutWriter.BlobPath(directory, digest)).Length));
            }
        }

        var runtime = config["config"]!.AsObject();
        var environment = (runtime["Env"] as JsonArray ?? []).Select(e => e!.GetValue<string>()).ToList();
        foreach (var variable in step.Environment)
        {
            var name = variable[..(variable.IndexOf('=', StringComparison.Ordinal) + 1)];
            environment.RemoveAll(e => e.StartsWith(name, StringComparison.Ordinal));
            environment.Add(variable);
        }

        runtime["Env"] = new JsonArray([.. environment.Select(e => JsonValue.Create(e))]);
        if (cmd is not null)
        {
            runtime["Cmd"] = new JsonArray([.. cmd.Select(c => JsonValue.Create(c))]);
        }

        config["rootfs"]!["diff_ids"]!.AsArray().Add(step.Layer.DiffId);
        config["history"]!.AsArray().Add(new JsonObject { ["created"] = Created, ["created_by"] = step.CreatedBy });
        if (cmd is not null)
        {
            config["history"]!.AsArray().Add(new JsonObject
            {
                ["created"] = Created,
                ["created_by"] = "kaniko-tests: CMD " + JsonSerializer.Serialize(cmd, Compact),
                ["empty_layer"] = true,
            });
        }

        if (OciLayoutWriter.BlobPath(directory, step.Layer.Digest) != step.Layer.Path)
        {
            await LinkOrCopyAsync(step.Layer.Path, OciLayoutWriter.BlobPath(directory, step.Layer.Digest), cancellationToken).ConfigureAwait(false);
        }

        layers.Add((step.Layer.Digest, step.Layer.Size));
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, Compact);
        var configDigest = await WriteBlobAsync(directory, configBytes, cancellationToken).ConfigureAwait(false);
        var manifest = OciLayoutWriter.Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", ManifestMediaType);
            w.WritePropertyName("config");
            WriteDescriptor(w, ConfigMediaType, configDigest, configBytes.Length);
            w.WriteStartArray("layers");
            foreach (var (digest, size) in layers)
            {
                WriteDescriptor(w, LayerMediaType, digest, size);
            }

            w.WriteEndArray();
        });
        var manifestDigest = await WriteBlobAsync(directory, manifest, cancellationToken).ConfigureAwait(false);
        var index = OciLayoutWriter.Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", IndexMediaType);
            w.WriteStartArray("manifests");
            w.WriteStartObject();
            w.WriteString("mediaType", ManifestMediaType);
            w.WriteString("digest", manifestDigest);
            w.WriteNumber("size", manifest.Length);
            w.WriteStartObject("platform");
            w.WriteString("architecture", architecture);
            w.WriteString("os", "linux");
            w.WriteEndObject();
            w.WriteStartObject("annotations");
            w.WriteString(OciLayoutWriter.RefNameAnnotation, tag);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        });
        await File.WriteAllBytesAsync(Path.Combine(directory, "index.json"), index, cancellationToken).ConfigureAwait(false);
        return OciLayoutImage.Read(directory, tag);
    }

    private static void WriteDescriptor(Utf8JsonWriter writer, string mediaType, string digest, long size)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", mediaType);
        writer.WriteString("digest", digest);
        writer.WriteNumber("size", size);
        writer.WriteEndObject();
    }

    private static async Task<string> WriteBlobAsync(string directory, byte[] content, CancellationToken cancellationToken)
    {
        var digest = ReproducibleLayer.Sha256(content);
        await File.WriteAllBytesAsync(OciLayoutWriter.BlobPath(directory, digest), content, cancellationToken).ConfigureAwait(false);
        return digest;
    }

    // A layer blob of the SDK is hundreds of megabytes: a hard link costs nothing, a copy is the fallback across file systems.
    private static async Task LinkOrCopyAsync(string source, string destination, CancellationToken cancellationToken)
    {
        if (File.Exists(destination))
        {
            return;
        }

        var linked = await ExternalTools.RunAsync("ln", [source, destination], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (linked.ExitCode != 0)
        {
            File.Copy(source, destination);
        }
    }
}
