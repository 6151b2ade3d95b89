namespace Kaniko.Engine.Execution.Mounts;

/// <summary>What a build gives its <c>RUN --mount</c> steps: the cache store, the secrets and the SSH agents.</summary>
internal sealed record RunMountOptions
{
    /// <summary>Where cache mounts live between builds.</summary>
    public required CacheMountStore Caches { get; init; }

    /// <summary>The secrets of the build (<c>--secret</c>); a later entry with the same id wins.</summary>
    public IReadOnlyList<SecretSource> Secrets { get; init; } = [];

    /// <summary>The SSH agents of the build (<c>--ssh</c>); a later entry with the same id wins.</summary>
    public IReadOnlyList<SshSource> SshAgents { get; init; } = [];

    /// <summary>A folder of the build where copies of bind-mount sources are made (removed after each step).</summary>
    public required string WorkDirectory { get; init; }
}
