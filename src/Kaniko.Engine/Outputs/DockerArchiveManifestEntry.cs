using System.Text.Json.Serialization;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// One entry of a <c>docker save</c> tarball's <c>manifest.json</c> (an array of these): where the config and the
/// layers are inside the tar, and the names <c>docker load</c> tags the image with.
/// </summary>
internal sealed record DockerArchiveManifestEntry
{
    /// <summary>The path of the config blob inside the tar.</summary>
    [JsonPropertyName("Config")]
    public required string Config { get; init; }

    /// <summary>The <c>repository:tag</c> names, or null for an untagged image.</summary>
    [JsonPropertyName("RepoTags")]
    public IReadOnlyList<string>? RepoTags { get; init; }

    /// <summary>The paths of the layer blobs inside the tar, bottom first.</summary>
    [JsonPropertyName("Layers")]
    public required IReadOnlyList<string> Layers { get; init; }
}

/// <summary>Source-generated JSON for the tarball's own documents.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(IReadOnlyList<DockerArchiveManifestEntry>))]
internal sealed partial class OutputsJsonContext : JsonSerializerContext;
