using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>The <c>oci-layout</c> file at the root of an OCI image layout directory.</summary>
internal sealed record OciLayoutHeader : IOciDocument<OciLayoutHeader>
{
    /// <summary>The version this tool writes and reads.</summary>
    public const string CurrentVersion = "1.0.0";

    /// <summary>"imageLayoutVersion" — the only version the schema allows is <c>1.0.0</c>.</summary>
    [JsonPropertyName("imageLayoutVersion")]
    public string ImageLayoutVersion { get; init; } = CurrentVersion;

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <inheritdoc />
    public static JsonTypeInfo<OciLayoutHeader> JsonTypeInfo => OciJsonContext.Default.OciLayoutHeader;

    /// <inheritdoc />
    public static MediaType DocumentMediaType => MediaType.OciLayoutHeader;
}
