using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>How a <c>RUN</c> step is isolated from the machine the build runs on.</summary>
internal enum SandboxKind
{
    /// <summary>The best isolation available, chosen by probing: bubblewrap, then chroot as root. Never <see cref="None"/>.</summary>
    Automatic,

    /// <summary>
    /// <c>bwrap</c>: new mount, PID, IPC and UTS namespaces (and a user namespace when not root), the rootfs as
    /// <c>/</c>, a fresh <c>/proc</c> and a minimal <c>/dev</c>.
    /// </summary>
    Bubblewrap,

    /// <summary>Root without namespaces (an unprivileged container): <c>chroot</c> into the rootfs, device nodes made with mknod.</summary>
    Chroot,

    /// <summary>
    /// kaniko's own mode: no isolation, the rootfs is <c>/</c> of the container this tool runs in. Only when asked for.
    /// </summary>
    None,
}

/// <summary>The network a <c>RUN</c> step sees (<c>RUN --network</c>).</summary>
internal enum SandboxNetwork
{
    /// <summary>The network of the machine (BuildKit's <c>default</c> and <c>host</c> as this tool runs them).</summary>
    Shared,

    /// <summary>A network namespace with only the loopback interface.</summary>
    None,
}

/// <summary>A host path mounted into the sandbox (for <c>RUN --mount</c>).</summary>
/// <param name="Source">The host file or directory.</param>
/// <param name="Target">The absolute path inside the rootfs.</param>
/// <param name="ReadOnly">Whether the step may only read it.</param>
internal sealed record SandboxBindMount(string Source, string Target, bool ReadOnly);

/// <summary>An empty in-memory file system mounted into the sandbox (<c>RUN --mount=type=tmpfs</c>).</summary>
/// <param name="Target">The absolute path inside the rootfs.</param>
/// <param name="SizeBytes">The size limit, or <c>null</c> for the kernel's default.</param>
internal sealed record SandboxTmpfsMount(string Target, long? SizeBytes = null);

/// <summary>Everything needed to run one <c>RUN</c> step isolated in a root filesystem.</summary>
/// <param name="RootFs">The host directory holding the stage's root filesystem.</param>
/// <param name="Args">The process arguments, <c>Args[0]</c> the program (looked up on the step's <c>PATH</c>).</param>
/// <param name="Environment"><c>NAME=value</c> entries: the process gets these and nothing else.</param>
/// <param name="User">
/// <c>user[:group]</c>, names or ids, resolved in the rootfs's <c>/etc/passwd</c> and <c>/etc/group</c> as BuildKit
/// does; empty for root.
/// </param>
/// <param name="WorkingDirectory">The absolute directory the process starts in; created (owned by the user) when missing.</param>
internal sealed record SandboxSpec(
    string RootFs,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Environment,
    string User,
    string WorkingDirectory)
{
    /// <summary>The network of the step.</summary>
    public SandboxNetwork Network { get; init; } = SandboxNetwork.Shared;

    /// <summary>Host paths mounted into the rootfs.</summary>
    public IReadOnlyList<SandboxBindMount> BindMounts { get; init; } = [];

    /// <summary>In-memory file systems mounted into the rootfs.</summary>
    public IReadOnlyList<SandboxTmpfsMount> TmpfsMounts { get; init; } = [];

    /// <summary>The host name inside the sandbox; BuildKit's default.</summary>
    public string Hostname { get; init; } = DefaultHostname;

    /// <summary>An executable heredoc to provide, read-only, at <see cref="RunScript.Path"/>.</summary>
    public RunScript? Script { get; init; }

    /// <summary>BuildKit's host name for build containers.</summary>
    public const string DefaultHostname = "buildkitsandbox";

    /// <summary>The sandbox specification of a planned <c>RUN</c> step in <paramref name="rootFs"/>.</summary>
    public static SandboxSpec FromRun(RunCommandSpec run, string rootFs)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new SandboxSpec(rootFs, run.Args, run.Environment, run.User, run.WorkingDirectory) { Script = run.Script };
    }
}

/// <summary>One line the process wrote, without its line ending.</summary>
/// <param name="Stream">Where it was written.</param>
/// <param name="Text">The text, decoded as UTF-8.</param>
internal sealed record SandboxOutputLine(SandboxOutputStream Stream, string Text);
