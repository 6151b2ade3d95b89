using System.Text.Json.Serialization;

namespace Kaniko.Tasks;

/// <summary>The JSON the generated Dockerfile needs (its exec-form <c>ENTRYPOINT</c>), without reflection.</summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class GeneratedDockerfileJson : JsonSerializerContext;
