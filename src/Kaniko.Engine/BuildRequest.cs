namespace Kaniko.Engine;

/// <summary>
/// What a host asks the engine to build, in the terms of kaniko's flags. Hosts translate their own inputs (command
/// line options, MSBuild properties) into this record; the engine reads nothing else.
/// </summary>
public sealed record BuildRequest
{
    /// <summary>The build context: a directory path or <c>dir://PATH</c> (<c>--context</c>).</summary>
    public string Context { get; init; } = ".";

    /// <summary>The Dockerfile (<c>--dockerfile</c>), or <c>null</c> for <c>Dockerfile</c> in the context.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>The build arguments, already resolved (see <see cref="Planning.BuildArguments.Parse"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The stage to build (<c>--target</c>), or <c>null</c> for the last one.</summary>
    public string? Target { get; init; }

    /// <summary>The platform to build for, <c>os/arch[/variant]</c> (<c>--custom-platform</c>), or <c>null</c> for this machine's.</summary>
    public string? Platform { get; init; }
}
