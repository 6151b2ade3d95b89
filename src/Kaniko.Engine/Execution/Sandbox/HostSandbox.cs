using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// kaniko's own mode: no isolation at all. The rootfs must be <c>/</c>, the system this tool runs in, which only
/// makes sense inside a throw-away container built for it; so this mode is used only when asked for. As root,
/// <c>setpriv</c> switches to the step's user and groups; otherwise the step must run as this process's user.
/// Mounts, the host name and the network cannot be changed here.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class HostSandbox : ISandbox
{
    private readonly HostToolPaths _tools;

    /// <summary>Creates a sandbox that uses the given programs.</summary>
    public HostSandbox(HostToolPaths tools)
    {
        _tools = tools;
    }

    /// <inheritdoc />
    public SandboxKind Kind => SandboxKind.None;

    /// <inheritdoc />
    public async Task<int> RunAsync(SandboxSpec spec, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.RootFs)) != "/")
        {
            throw new KanikoException(DiagnosticCodes.SandboxRootFsInvalid,
                string.Format(CultureInfo.InvariantCulture, Strings.SandboxNoneNeedsHostRoot, spec.RootFs));
        }

        if (spec.Network != SandboxNetwork.Shared || spec.BindMounts.Count > 0 || spec.TmpfsMounts.Count > 0 || spec.Script is not null)
        {
            throw new KanikoException(DiagnosticCodes.SandboxKindUnavailable, string.Format(CultureInfo.InvariantCulture,
                Strings.SandboxKindUnavailable, "none", "it cannot mount or isolate the network"));
        }

        using var scratch = StepScratch.Prepare(spec);
        var command = BuildCommand(spec, scratch, _tools, LibC.EffectiveUserId, LibC.EffectiveGroupId);
        return await SandboxProcess.RunAsync(command, _tools.Setsid, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The host command of the step: <c>setpriv</c> to its user when that differs from this process's.</summary>
    internal static HostCommand BuildCommand(SandboxSpec spec, StepScratch scratch, HostToolPaths tools, uint uid, uint gid)
    {
        var identity = scratch.Identity;
        // env --chdir changes directory after setpriv has dropped privileges, as the step's user.
        List<string> enter = [tools.Env!, "--chdir=" + scratch.WorkingDirectory, "--", .. spec.Args];
        if (identity.Uid == uid && identity.Gid == gid && uid != 0)
        {
            return new HostCommand(enter[0], enter[1..], scratch.Environment);
        }

        if (uid != 0)
        {
            throw new KanikoException(DiagnosticCodes.SandboxKindUnavailable, string.Format(CultureInfo.InvariantCulture,
                Strings.SandboxKindUnavailable, "none", "switching to user " + spec.User + " needs root"));
        }

        List<string> args =
        [
            "--reuid=" + identity.Uid.ToString(CultureInfo.InvariantCulture),
            "--regid=" + identity.Gid.ToString(CultureInfo.InvariantCulture),
            "--groups=" + identity.GroupList, "--", .. enter,
        ];
        return new HostCommand(tools.Setpriv!, args, scratch.Environment);
    }
}
