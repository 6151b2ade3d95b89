using Kaniko.Engine.Execution.Mounts;

namespace Kaniko.Engine;

/// <summary>
/// A secret <c>RUN --mount=type=secret</c> steps may read (<c>--secret id=ID,src=FILE</c> or <c>env=VARIABLE</c>). Its
/// value is read when a step needs it and never reaches a layer, the config or the history.
/// </summary>
public sealed class BuildSecret
{
    private BuildSecret(SecretSource source) => Source = source;

    /// <summary>The id steps name with <c>RUN --mount=type=secret,id=ID</c>.</summary>
    public string Id => Source.Id;

    /// <summary>The file the value is read from, or <c>null</c> when it comes from <see cref="EnvironmentVariable"/>.</summary>
    public string? FilePath => Source.FilePath;

    /// <summary>The environment variable the value is read from, or <c>null</c> when it comes from <see cref="FilePath"/>.</summary>
    public string? EnvironmentVariable => Source.EnvironmentVariable;

    internal SecretSource Source { get; }

    /// <summary>Parses a <c>--secret</c> value as buildx does; <c>KANIKO4600</c> or <c>KANIKO4601</c> when it is malformed or its file unreadable.</summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="environment">Looks up this process's environment variables.</param>
    public static BuildSecret Parse(string spec, Func<string, string?> environment) => new(SecretSource.Parse(spec, environment));

    /// <summary>The id only: the source's path or variable is not secret, but the value behind it is.</summary>
    public override string ToString() => "secret " + Id;
}

/// <summary>An SSH agent <c>RUN --mount=type=ssh</c> steps may use (<c>--ssh default</c>, <c>--ssh ID=SOCKET</c>).</summary>
public sealed class SshAgent
{
    private SshAgent(SshSource source) => Source = source;

    /// <summary>The id steps name with <c>RUN --mount=type=ssh,id=ID</c>.</summary>
    public string Id => Source.Id;

    /// <summary>The agent's Unix socket on this machine.</summary>
    public string SocketPath => Source.SocketPath;

    internal SshSource Source { get; }

    /// <summary>Parses a <c>--ssh</c> value as buildx does (<c>ID</c> or <c>ID=SOCKET</c>); <c>KANIKO4603</c> when it is malformed.</summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="environment">Looks up this process's environment variables (<c>SSH_AUTH_SOCK</c>).</param>
    public static SshAgent Parse(string spec, Func<string, string?> environment) => new(SshSource.Parse(spec, environment));

    /// <inheritdoc/>
    public override string ToString() => "ssh " + Id + "=" + SocketPath;
}
