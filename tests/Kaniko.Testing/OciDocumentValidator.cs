using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Testing;

/// <summary>One rule a document breaks, located by a JSON path such as <c>$.layers[0].digest</c>.</summary>
/// <param name="Path">Where in the document.</param>
/// <param name="Message">What is wrong, lower-case, no final full stop.</param>
public sealed record ValidationError(string Path, string Message)
{
    /// <summary>The <c>path: message</c> form.</summary>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// Checks a JSON document against the rules for its media type, as the OCI image-spec's JSON schemas and its Go
/// validator do: required fields and their JSON types, <c>schemaVersion</c> 2, a <c>mediaType</c> field that agrees
/// with the document's type, the descriptor rules (media type shape, digest grammar and registered-algorithm
/// encoding, non-negative size, absolute URIs, padded base64 <c>data</c> that matches size and digest), platform
/// objects, config <c>Env</c> entries of the form <c>NAME=value</c>, RFC 3339 timestamps. Docker schema 2 manifests,
/// manifest lists and container configs are checked by the same rules with Docker's differences: their
/// <c>mediaType</c> is required, a manifest may have no layers, and <c>null</c> stands for an absent field.
/// </summary>
public static partial class OciDocumentValidator
{
    /// <summary>True when <paramref name="mediaType"/> names a JSON document this validator knows.</summary>
    public static bool CanValidate(MediaType mediaType) =>
        mediaType.IsManifest || mediaType.IsIndex || mediaType.IsConfig
        || mediaType == MediaType.OciDescriptor || mediaType == MediaType.OciLayoutHeader;

    /// <summary>
    /// Validates <paramref name="json"/> as <paramref name="mediaType"/> and returns every rule it breaks (none when
    /// valid). Bytes that are not JSON give one error at <c>$</c>.
    /// </summary>
    public static IReadOnlyList<ValidationError> Validate(ReadOnlySpan<byte> json, MediaType mediaType)
    {
        if (!CanValidate(mediaType))
        {
            throw new ArgumentException($"no validation rules for media type \"{mediaType}\"", nameof(mediaType));
        }

        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                return [new ValidationError("$", "unexpected data after the JSON value")];
            }
        }
        catch (JsonException error)
        {
            return [new ValidationError("$", "not valid JSON: " + error.Message)];
        }

        using (document)
        {
            var walker = new Walker(mediaType.IsDocker);
            var root = document.RootElement;
            if (mediaType.IsManifest)
            {
                walker.Manifest(root, mediaType);
            }
            else if (mediaType.IsIndex)
            {
                walker.Index(root, mediaType);
            }
            else if (mediaType.IsConfig)
            {
                walker.Config(root);
            }
            else if (mediaType == MediaType.OciDescriptor)
            {
                walker.Descriptor(root, "$");
            }
            else
            {
                walker.LayoutHeader(root);
            }

            return walker.Errors;
        }
    }

    /// <summary>
    /// Throws <c>KANIKO3007</c> listing the broken rules unless <paramref name="json"/> is a valid
    /// <paramref name="mediaType"/> document.
    /// </summary>
    /// <param name="json">The document's bytes.</param>
    /// <param name="mediaType">What the document claims to be.</param>
    /// <param name="source">What the bytes are, for the message (a file name, <c>manifest sha256:…</c>).</param>
    public static void EnsureValid(ReadOnlySpan<byte> json, MediaType mediaType, string? source = null)
    {
        var errors = Validate(json, mediaType);
        if (errors.Count > 0)
        {
            throw new KanikoException(
                DiagnosticCodes.InvalidDocument,
                string.Format(CultureInfo.InvariantCulture, "{0} is not a valid {1}: {2}", source ?? "the document", mediaType, string.Join("; ", errors)));
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", RegexOptions.CultureInvariant)]
    private static partial Regex UriWithScheme();

    [GeneratedRegex(@"^[A-Za-z0-9+/]*={0,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex PaddedBase64();

    private sealed class Walker(bool docker)
    {
        public List<ValidationError> Errors { get; } = [];

        public void Manifest(JsonElement root, MediaType mediaType)
        {
            if (!Object(root, "$"))
            {
                return;
            }

            SchemaVersion(root);
            DocumentMediaType(root, mediaType);
            OptionalMediaType(root, "artifactType", "$");
            if (Required(root, "config", "$", out var config))
            {
                Descriptor(config, "$.config");
            }

            if (Required(root, "layers", "$", out var layers) && Array(layers, "$.layers"))
            {
                // The OCI schema has "minItems": 1 ("For portability, layers SHOULD have at least one entry");
                // Docker schema 2 allows an image with no layers.
                if (!docker && layers.GetArrayLength() == 0)
                {
                    Error("$.layers", "must have at least one entry");
                }

                var i = 0;
                foreach (var layer in layers.EnumerateArray())
                {
                    Descriptor(layer, $"$.layers[{i++}]");
                }
            }

            if (root.TryGetProperty("subject", out var subject))
            {
                Descriptor(subject, "$.subject");
            }

            StringMap(root, "annotations", "$");

            // "artifactType ... MUST be set when config.mediaType is set to the empty value."
            if (config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty("mediaType", out var configType)
                && configType.ValueKind == JsonValueKind.String
                && configType.GetString() == MediaType.OciEmpty.Value
                && !root.TryGetProperty("artifactType", out _))
            {
                Error("$.artifactType", "must be set when config.mediaType is the empty media type");
            }
        }

        public void Index(JsonElement root, MediaType mediaType)
        {
            if (!Object(root, "$"))
            {
                return;
            }

            SchemaVersion(root);
            DocumentMediaType(root, mediaType);
            OptionalMediaType(root, "artifactType", "$");
            if (Required(root, "manifests", "$", out var manifests) && Array(manifests, "$.manifests"))
            {
                var i = 0;
                foreach (var manifest in manifests.EnumerateArray())
                {
                    var path = $"$.manifests[{i++}]";
                    Descriptor(manifest, path);
                }
            }

            if (root.TryGetProperty("subject", out var subject))
            {
                Descriptor(subject, "$.subject");
            }

            StringMap(root, "annotations", "$");
        }

        public void Config(JsonElement root)
        {
            if (!Object(root, "$"))
            {
                return;
            }

            Timestamp(root, "created", "$");
            OptionalString(root, "author", "$");
            RequiredString(root, "architecture", "$");
            RequiredString(root, "os", "$");
            OptionalString(root, "os.version", "$");
            StringArray(root, "os.features", "$", nullable: false);
            OptionalString(root, "variant", "$");

            if (Optional(root, "config", "$", out var config) && Object(config, "$.config"))
            {
                const string path = "$.config";
                OptionalString(config, "User", path);
                ObjectSet(config, "ExposedPorts", path, nullable: false);
                if (StringArray(config, "Env", path, nullable: false, out var env))
                {
                    var i = 0;
                    foreach (var entry in env.EnumerateArray())
                    {
                        // image-spec's validator: every entry must match ^[^=]+=.*$.
                        var text = entry.GetString()!;
                        if (text.IndexOf('=', StringComparison.Ordinal) <= 0)
                        {
                            Error($"{path}.Env[{i}]", $"\"{text}\" is not of the form NAME=value");
                        }

                        i++;
                    }
                }

                StringArray(config, "Entrypoint", path, nullable: true);
                StringArray(config, "Cmd", path, nullable: true);
                ObjectSet(config, "Volumes", path, nullable: true);
                OptionalString(config, "WorkingDir", path);
                StringMap(config, "Labels", path, nullable: true);
                OptionalString(config, "StopSignal", path);
                if (Optional(config, "ArgsEscaped", path, out var argsEscaped)
                    && argsEscaped.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    Error(path + ".ArgsEscaped", "must be a boolean");
                }
            }

            if (Required(root, "rootfs", "$", out var rootfs) && Object(rootfs, "$.rootfs"))
            {
                if (Required(rootfs, "type", "$.rootfs", out var type) && type.ValueKind != JsonValueKind.String
                    || type.ValueKind == JsonValueKind.String && type.GetString() != "layers")
                {
                    Error("$.rootfs.type", "must be \"layers\"");
                }

                if (Required(rootfs, "diff_ids", "$.rootfs", out var diffIds) && Array(diffIds, "$.rootfs.diff_ids"))
                {
                    var i = 0;
                    foreach (var diffId in diffIds.EnumerateArray())
                    {
                        DigestValue(diffId, $"$.rootfs.diff_ids[{i++}]");
                    }
                }
            }

            if (Optional(root, "history", "$", out var history) && Array(history, "$.history"))
            {
                var i = 0;
                foreach (var entry in history.EnumerateArray())
                {
                    var path = $"$.history[{i++}]";
                    if (!Object(entry, path))
                    {
                        continue;
                    }

                    Timestamp(entry, "created", path);
                    OptionalString(entry, "author", path);
                    OptionalString(entry, "created_by", path);
                    OptionalString(entry, "comment", path);
                    if (Optional(entry, "empty_layer", path, out var empty) && empty.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        Error(path + ".empty_layer", "must be a boolean");
                    }
                }
            }
        }

        public void LayoutHeader(JsonElement root)
        {
            if (Object(root, "$") && Required(root, "imageLayoutVersion", "$", out var version)
                && (version.ValueKind != JsonValueKind.String || version.GetString() != OciLayoutHeader.CurrentVersion))
            {
                Error("$.imageLayoutVersion", $"must be the string \"{OciLayoutHeader.CurrentVersion}\"");
            }
        }

        public void Descriptor(JsonElement descriptor, string path)
        {
            if (!Object(descriptor, path))
            {
                return;
            }

            if (Required(descriptor, "mediaType", path, out var mediaType))
            {
                MediaTypeValue(mediaType, path + ".mediaType");
            }

            Digest? digest = null;
            if (Required(descriptor, "digest", path, out var digestElement))
            {
                digest = DigestValue(digestElement, path + ".digest");
            }

            long? size = null;
            if (Required(descriptor, "size", path, out var sizeElement))
            {
                if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out var value))
                {
                    Error(path + ".size", "must be an integer");
                }
                else if (value < 0)
                {
                    Error(path + ".size", "must not be negative");
                }
                else
                {
                    size = value;
                }
            }

            if (StringArray(descriptor, "urls", path, nullable: false, out var urls))
            {
                var i = 0;
                foreach (var url in urls.EnumerateArray())
                {
                    // The schema's "format": "uri" means an absolute URI: a scheme, then the rest.
                    var text = url.GetString()!;
                    if (!UriWithScheme().IsMatch(text) || !Uri.TryCreate(text, UriKind.Absolute, out _))
                    {
                        Error($"{path}.urls[{i}]", $"\"{text}\" is not an absolute URI");
                    }

                    i++;
                }
            }

            if (Optional(descriptor, "data", path, out var data))
            {
                Data(data, path + ".data", digest, size);
            }

            OptionalMediaType(descriptor, "artifactType", path);
            StringMap(descriptor, "annotations", path);
            if (Optional(descriptor, "platform", path, out var platform))
            {
                Platform(platform, path + ".platform");
            }
        }

        private void Platform(JsonElement platform, string path)
        {
            if (!Object(platform, path))
            {
                return;
            }

            RequiredString(platform, "architecture", path);
            RequiredString(platform, "os", path);
            OptionalString(platform, "os.version", path);
            StringArray(platform, "os.features", path, nullable: false);
            OptionalString(platform, "variant", path);
            StringArray(platform, "features", path, nullable: false);
        }

        private void Data(JsonElement data, string path, Digest? digest, long? size)
        {
            if (data.ValueKind != JsonValueKind.String)
            {
                Error(path, "must be a base64 string");
                return;
            }

            // Go decodes the field with the standard, padded alphabet, so unpadded text is invalid.
            var text = data.GetString()!;
            byte[] bytes;
            if (text.Length % 4 != 0 || !PaddedBase64().IsMatch(text))
            {
                Error(path, "must be standard base64 with padding");
                return;
            }

            try
            {
                bytes = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                Error(path, "must be standard base64 with padding");
                return;
            }

            // "The decoded data MUST be verified against the digest and size" of the descriptor.
            if (size is { } expectedSize && bytes.LongLength != expectedSize)
            {
                Error(path, $"decodes to {bytes.LongLength} bytes but size is {expectedSize}");
            }

            if (digest is { IsSupported: true } expected && Kaniko.Engine.Oci.Digest.Compute(bytes, expected.Algorithm) != expected)
            {
                Error(path, "does not match the descriptor's digest");
            }
        }

        private Digest? DigestValue(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                Error(path, "must be a digest string");
                return null;
            }

            if (!Kaniko.Engine.Oci.Digest.TryParse(element.GetString(), out var digest, out var reason))
            {
                Error(path, $"invalid digest \"{element.GetString()}\": {reason}");
                return null;
            }

            return digest;
        }

        private void MediaTypeValue(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                Error(path, "must be a media type string");
            }
            else if (!new MediaType(element.GetString()!).IsWellFormed)
            {
                Error(path, $"\"{element.GetString()}\" is not a well-formed media type");
            }
        }

        private void SchemaVersion(JsonElement root)
        {
            if (Required(root, "schemaVersion", "$", out var version)
                && (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number) || number != 2))
            {
                Error("$.schemaVersion", "must be the integer 2");
            }
        }

        private void DocumentMediaType(JsonElement root, MediaType expected)
        {
            // OCI: "This property SHOULD be used"; when present it MUST be the document's type. Docker's
            // distribution rejects a schema 2 manifest or list whose mediaType is missing or different.
            if (root.TryGetProperty("mediaType", out var mediaType))
            {
                MediaTypeValue(mediaType, "$.mediaType");
                if (mediaType.ValueKind == JsonValueKind.String && mediaType.GetString() != expected.Value)
                {
                    Error("$.mediaType", $"\"{mediaType.GetString()}\" does not match the document type {expected}");
                }
            }
            else if (docker)
            {
                Error("$.mediaType", "is required");
            }
        }

        private void OptionalMediaType(JsonElement element, string name, string path)
        {
            if (element.TryGetProperty(name, out var value))
            {
                MediaTypeValue(value, $"{path}.{name}");
            }
        }

        private void Timestamp(JsonElement element, string name, string path)
        {
            if (!Optional(element, name, path, out var value))
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.String
                || !Rfc3339().IsMatch(value.GetString()!)
                || !IsRealDate(value.GetString()!))
            {
                Error($"{path}.{name}", "must be an RFC 3339 date-time string");
            }
        }

        private static bool IsRealDate(string text)
        {
            // Reject 2015-13-45 and the like: the date part must exist on the calendar.
            return DateTime.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        }

        private void RequiredString(JsonElement element, string name, string path)
        {
            if (Required(element, name, path, out var value) && value.ValueKind != JsonValueKind.String)
            {
                Error($"{path}.{name}", "must be a string");
            }
        }

        private void OptionalString(JsonElement element, string name, string path)
        {
            if (Optional(element, name, path, out var value) && value.ValueKind != JsonValueKind.String)
            {
                Error($"{path}.{name}", "must be a string");
            }
        }

        private void StringArray(JsonElement element, string name, string path, bool nullable) =>
            StringArray(element, name, path, nullable, out _);

        private bool StringArray(JsonElement element, string name, string path, bool nullable, out JsonElement array)
        {
            if (!Optional(element, name, path, out array) || nullable && array.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            if (!Array(array, $"{path}.{name}"))
            {
                return false;
            }

            var valid = true;
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    Error($"{path}.{name}[{i}]", "must be a string");
                    valid = false;
                }

                i++;
            }

            return valid;
        }

        private void StringMap(JsonElement element, string name, string path, bool nullable = false)
        {
            if (!Optional(element, name, path, out var map) || nullable && map.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (!Object(map, $"{path}.{name}"))
            {
                return;
            }

            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    Error($"{path}.{name}[\"{property.Name}\"]", "must be a string");
                }
            }
        }

        private void ObjectSet(JsonElement element, string name, string path, bool nullable)
        {
            if (!Optional(element, name, path, out var map) || nullable && map.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (!Object(map, $"{path}.{name}"))
            {
                return;
            }

            foreach (var property in map.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    Error($"{path}.{name}[\"{property.Name}\"]", "must be an object");
                }
            }
        }

        private bool Required(JsonElement element, string name, string path, out JsonElement value)
        {
            if (element.TryGetProperty(name, out value))
            {
                return true;
            }

            Error($"{path}.{name}", "is required");
            return false;
        }

        // Docker's Go structs marshal absent slices and maps as null, so in Docker documents null means absent.
        private bool Optional(JsonElement element, string name, string path, out JsonElement value) =>
            element.TryGetProperty(name, out value) && !(docker && value.ValueKind == JsonValueKind.Null);

        private bool Object(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                return true;
            }

            Error(path, "must be a JSON object");
            return false;
        }

        private bool Array(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                return true;
            }

            Error(path, "must be a JSON array");
            return false;
        }

        private void Error(string path, string message) => Errors.Add(new ValidationError(path, message));
    }
}
