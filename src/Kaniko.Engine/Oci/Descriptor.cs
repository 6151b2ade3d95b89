using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// An OCI content descriptor: what a piece of content is, how to identify it and how big it is. The spec calls
/// <c>mediaType</c>, <c>digest</c> and <c>size</c> REQUIRED; the rest is optional. Properties are declared in the
/// order of the image-spec Go struct, so serialised descriptors look like those of other tools.
/// Equality compares the collections by reference; compare <see cref="Digest"/> values to ask "same content?".
/// </summary>
internal sealed record Descriptor : IOciDocument<Descriptor>
{
    /// <summary>"This REQUIRED property contains the media type of the referenced content."</summary>
    [JsonPropertyName("mediaType")]
    public required MediaType MediaType { get; init; }

    /// <summary>"This REQUIRED property is the digest of the targeted content."</summary>
    [JsonPropertyName("digest")]
    public required Digest Digest { get; init; }

    /// <summary>"This REQUIRED property specifies the size, in bytes, of the raw content."</summary>
    [JsonPropertyName("size")]
    public required long Size { get; init; }

    /// <summary>"This OPTIONAL property specifies a list of URIs from which this object MAY be downloaded."</summary>
    [JsonPropertyName("urls")]
    public IReadOnlyList<string>? Urls { get; init; }

    /// <summary>"This OPTIONAL property contains arbitrary metadata for this descriptor."</summary>
    [JsonPropertyName("annotations")]
    [JsonConverter(typeof(SortedStringMapConverter))]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>
    /// "This OPTIONAL property contains an embedded representation of the referenced content"; when present it
    /// MUST match <see cref="Digest"/> and <see cref="Size"/>.
    /// </summary>
    [JsonPropertyName("data")]
    public byte[]? Data { get; init; }

    /// <summary>The platform of the referenced image; used in image indexes.</summary>
    [JsonPropertyName("platform")]
    public Platform? Platform { get; init; }

    /// <summary>"This OPTIONAL property contains the type of an artifact when the descriptor points to an artifact."</summary>
    [JsonPropertyName("artifactType")]
    public MediaType? ArtifactType { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>
    /// The empty descriptor the spec defines for artifacts without a config: the two bytes <c>{}</c>, media type
    /// <c>application/vnd.oci.empty.v1+json</c>.
    /// </summary>
    public static Descriptor Empty { get; } = new()
    {
        MediaType = MediaType.OciEmpty,
        Digest = Digest.Parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
        Size = 2,
    };

    /// <inheritdoc />
    public static JsonTypeInfo<Descriptor> JsonTypeInfo => OciJsonContext.Default.Descriptor;

    /// <inheritdoc />
    public static MediaType DocumentMediaType => MediaType.OciDescriptor;

    /// <summary>A descriptor for content whose bytes are at hand.</summary>
    public static Descriptor For(MediaType mediaType, ReadOnlySpan<byte> content) => new()
    {
        MediaType = mediaType,
        Digest = Digest.Compute(content),
        Size = content.Length,
    };
}
