using System.Text.Json.Serialization;

namespace Kaniko.Engine.Oci;

/// <summary>
/// Source-generated System.Text.Json metadata for every document of the OCI model. Documents are written compact,
/// properties in declaration order (which follows the image-spec Go structs), maps sorted by key, nulls omitted;
/// property names are matched exactly and unknown fields are collected by <c>[JsonExtensionData]</c>.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.Strict,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    AllowTrailingCommas = false,
    RespectRequiredConstructorParameters = true,
    WriteIndented = false)]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(OciLayoutHeader))]
internal sealed partial class OciJsonContext : JsonSerializerContext
{
}
