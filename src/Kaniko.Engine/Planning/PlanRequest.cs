using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Planning;

/// <summary>What the planner needs besides the Dockerfile: build arguments, the target stage and the platforms.</summary>
internal sealed record PlanRequest
{
    /// <summary>
    /// The <c>--build-arg</c> values, already resolved (see <see cref="BuildArguments.Parse"/>); a later entry with the
    /// same name wins.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The stage to build (<c>--target</c>), or <c>null</c> for the last stage.</summary>
    public string? Target { get; init; }

    /// <summary>The platform to build for (<c>TARGETPLATFORM</c>), or <c>null</c> for <see cref="BuildPlatform"/>.</summary>
    public Platform? TargetPlatform { get; init; }

    /// <summary>The platform the build runs on (<c>BUILDPLATFORM</c>): Linux on this machine's architecture by default.</summary>
    public Platform BuildPlatform { get; init; } = Platform.DefaultBuildTarget;
}
