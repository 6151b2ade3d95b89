using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// An image index: a list of manifests, usually one per platform. The same shape reads a Docker manifest list
/// (<see cref="MediaType.DockerManifestList"/>).
/// </summary>
internal sealed record ImageIndex : IOciDocument<ImageIndex>
{
    /// <summary>"This REQUIRED property specifies the image manifest schema version ... this value MUST be 2."</summary>
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; init; } = 2;

    /// <summary>"This property SHOULD be used"; when used it MUST be <c>application/vnd.oci.image.index.v1+json</c>.</summary>
    [JsonPropertyName("mediaType")]
    public MediaType? MediaType { get; init; }

    /// <summary>The type of an artifact when the index is used for one.</summary>
    [JsonPropertyName("artifactType")]
    public MediaType? ArtifactType { get; init; }

    /// <summary>"This REQUIRED property contains a list of manifests for specific platforms."</summary>
    [JsonPropertyName("manifests")]
    public IReadOnlyList<Descriptor> Manifests { get; init; } = [];

    /// <summary>"This OPTIONAL property specifies a descriptor of another manifest" this one refers to.</summary>
    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; init; }

    /// <summary>"This OPTIONAL property contains arbitrary metadata for the image index."</summary>
    [JsonPropertyName("annotations")]
    [JsonConverter(typeof(SortedStringMapConverter))]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// The first entry whose platform satisfies <paramref name="platform"/> (see <see cref="Platform.Matches"/>), or
    /// null. Entries without a platform (attestations, nested indexes without one) are never chosen.
    /// </summary>
    public Descriptor? FindManifest(Platform platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return Manifests.FirstOrDefault(entry => entry.Platform is { } offered && platform.Matches(offered));
    }

    /// <inheritdoc />
    public static JsonTypeInfo<ImageIndex> JsonTypeInfo => OciJsonContext.Default.ImageIndex;

    /// <inheritdoc />
    public static MediaType DocumentMediaType => Oci.MediaType.OciIndex;
}
