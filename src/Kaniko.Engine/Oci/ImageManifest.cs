using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// An image manifest: one image's config and layers. The same shape reads a Docker image manifest v2 schema 2
/// (<see cref="MediaType.DockerManifest"/>), whose fields are a subset of the OCI ones.
/// </summary>
internal sealed record ImageManifest : IOciDocument<ImageManifest>
{
    /// <summary>"This REQUIRED property specifies the image manifest schema version ... this value MUST be 2."</summary>
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    /// <summary>
    /// "This property SHOULD be used and remain compatible with earlier versions of this specification"; when used it
    /// MUST be <c>application/vnd.oci.image.manifest.v1+json</c> (Docker: its schema 2 type, required there).
    /// </summary>
    [JsonPropertyName("mediaType")]
    public MediaType? MediaType { get; init; }

    /// <summary>The type of an artifact; "MUST be set when config.mediaType is set to the empty value".</summary>
    [JsonPropertyName("artifactType")]
    public MediaType? ArtifactType { get; init; }

    /// <summary>"This REQUIRED property references a configuration object for a container, by digest."</summary>
    [JsonPropertyName("config")]
    public required Descriptor Config { get; init; }

    /// <summary>The layers, base first: "the final filesystem layout MUST match the result of applying the layers ... in order".</summary>
    [JsonPropertyName("layers")]
    public IReadOnlyList<Descriptor> Layers { get; init; } = [];

    /// <summary>"This OPTIONAL property specifies a descriptor of another manifest" this one refers to.</summary>
    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; init; }

    /// <summary>"This OPTIONAL property contains arbitrary metadata for the image manifest."</summary>
    [JsonPropertyName("annotations")]
    [JsonConverter(typeof(SortedStringMapConverter))]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <inheritdoc />
    public static JsonTypeInfo<ImageManifest> JsonTypeInfo => OciJsonContext.Default.ImageManifest;

    /// <inheritdoc />
    public static MediaType DocumentMediaType => Oci.MediaType.OciManifest;
}
