using System.Text.Json;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Wraps a predicate in an in-toto Statement v1 (<c>_type</c>, <c>subject</c>, <c>predicateType</c>,
/// <c>predicate</c>) whose subject is the image manifest, as BuildKit's attestations name their image.
/// </summary>
internal static class InTotoStatement
{
    /// <summary>The statement type of in-toto attestation framework v1.</summary>
    public const string StatementType = "https://in-toto.io/Statement/v1";

    /// <summary>The media type of a statement as a layer of an attestation manifest.</summary>
    public const string MediaTypeName = "application/vnd.in-toto+json";

    /// <summary>The layer annotation that names the predicate type, so readers can pick a statement without reading it.</summary>
    public const string PredicateTypeAnnotation = "in-toto.io/predicate-type";

    /// <summary>The statement as UTF-8 JSON.</summary>
    public static byte[] Write(AttestedImage image, string predicateType, ReadOnlyMemory<byte> predicate)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(predicateType);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("_type", StatementType);
            json.WriteStartArray("subject");
            json.WriteStartObject();
            json.WriteString("name", SubjectName(image));
            json.WriteStartObject("digest");
            json.WriteString(image.Manifest.Algorithm, image.Manifest.Encoded);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteString("predicateType", predicateType);
            json.WritePropertyName("predicate");
            using (var document = JsonDocument.Parse(predicate))
            {
                document.RootElement.WriteTo(json);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // BuildKit names the subject with a docker purl of the image and its platform.
    private static string SubjectName(AttestedImage image) =>
        "pkg:docker/" + image.Name + "?platform=" + Uri.EscapeDataString(image.Platform.ToString());
}
