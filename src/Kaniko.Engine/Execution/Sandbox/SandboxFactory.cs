using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Chooses how <c>RUN</c> steps are isolated, following the ladder of the design: bubblewrap when it is installed and
/// may create namespaces here (probed once per process), else chroot mode when this process is root, else an error
/// that says what to install. <see cref="SandboxKind.None"/> is never chosen: only asked for. The choice is reported.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class SandboxFactory
{
    private static readonly Lazy<string?> BwrapProbe = new(ProbeBubblewrap);

    /// <summary>
    /// Starts the bubblewrap probe that <see cref="Create(SandboxKind, IBuildEventSink?)"/> waits for, in the
    /// background, for a build whose steps will run with <paramref name="kind"/>: the probe starts a process (tens of
    /// milliseconds), which then overlaps with what the build does before its first <c>RUN</c>. The choice is still
    /// made, and reported, when the first step asks for the sandbox.
    /// </summary>
    public static void StartProbe(SandboxKind kind)
    {
        if (kind is SandboxKind.Automatic or SandboxKind.Bubblewrap && !BwrapProbe.IsValueCreated)
        {
            _ = Task.Run(() => BwrapProbe.Value);
        }
    }

    /// <summary>Creates the sandbox for <paramref name="kind"/>; throws <see cref="KanikoException"/> (44xx) when it cannot run here.</summary>
    public static ISandbox Create(SandboxKind kind = SandboxKind.Automatic, IBuildEventSink? events = null)
    {
        events ??= NullBuildEventSink.Instance;
        var isRoot = LibC.EffectiveUserId == 0;
        var sandbox = Create(kind, events, FindTools(kind), isRoot, () => BwrapProbe.Value);
        if (!isRoot && sandbox.Kind == SandboxKind.Bubblewrap)
        {
            events.Report(new WarningEvent(new BuildWarning(DiagnosticCodes.RootlessOneIdMapped, OneIdMappedWarning())));
        }

        return sandbox;
    }

    // Why this rootless build maps one id: the user has no ranges, or has them and this host did not re-run itself
    // in a namespace that maps them (RootlessBuild), as the MSBuild tasks cannot.
    private static string OneIdMappedWarning()
    {
        string reason;
        try
        {
            var mapping = UserNamespaceMapping.ForCurrentUser();
            reason = mapping.HasRanges ? Strings.RootlessInProcess
                : string.Format(CultureInfo.InvariantCulture, Strings.RootlessNoRanges, mapping.UserDisplayName);
        }
        catch (KanikoException e)
        {
            reason = e.Message;
        }

        return string.Format(CultureInfo.InvariantCulture, Strings.RootlessOneIdMapped, reason);
    }

    /// <summary>The choice with the machine's facts given: the tools found, whether this process is root, the probe.</summary>
    internal static ISandbox Create(SandboxKind kind, IBuildEventSink events, HostToolPaths tools, bool isRoot, Func<string?> probe)
    {
        ISandbox sandbox;
        switch (kind)
        {
            case SandboxKind.Bubblewrap:
                sandbox = BubblewrapProblem(tools, isRoot, probe) is { } problem
                    ? throw Unavailable("bwrap", problem)
                    : new BubblewrapSandbox(tools, events);
                break;
            case SandboxKind.Chroot:
                sandbox = ChrootProblem(tools, isRoot) is { } chrootProblem
                    ? throw Unavailable("chroot", chrootProblem)
                    : new ChrootSandbox(tools, events);
                break;
            case SandboxKind.None:
                sandbox = (tools.Setpriv is null ? Missing("setpriv", "util-linux") : tools.Env is null ? Missing("env", "coreutils") : null) is { } noneProblem
                    ? throw Unavailable("none", noneProblem)
                    : new HostSandbox(tools);
                break;
            case SandboxKind.Automatic:
                sandbox = ChooseAutomatically(tools, isRoot, probe, events);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        events.Report(new MessageEvent("RUN isolation: " + Describe(sandbox.Kind, isRoot)));
        return sandbox;
    }

    private static ISandbox ChooseAutomatically(HostToolPaths tools, bool isRoot, Func<string?> probe, IBuildEventSink events)
    {
        var bwrapProblem = BubblewrapProblem(tools, isRoot, probe);
        if (bwrapProblem is null)
        {
            return new BubblewrapSandbox(tools, events);
        }

        var chrootProblem = ChrootProblem(tools, isRoot);
        if (chrootProblem is null)
        {
            events.Report(new MessageEvent("RUN isolation: bubblewrap is not usable (" + bwrapProblem + "), using chroot mode", MessageImportance.High));
            return new ChrootSandbox(tools, events);
        }

        throw new KanikoException(DiagnosticCodes.SandboxUnavailable,
            string.Format(CultureInfo.InvariantCulture, Strings.SandboxUnavailable, bwrapProblem + "; " + chrootProblem));
    }

    private static string Describe(SandboxKind kind, bool isRoot) => kind switch
    {
        SandboxKind.Bubblewrap => !isRoot ? "bubblewrap (namespaces, rootless: one uid mapped)"
            : Filesystem.UserNamespaceIds.CurrentCount() is { } count
                ? "bubblewrap (namespaces, as root of a user namespace mapping " + count.ToString(CultureInfo.InvariantCulture) + " ids)"
                : "bubblewrap (namespaces, as root)",
        SandboxKind.Chroot => "chroot (as root, without a user namespace)",
        _ => "none (RUN steps change / of this system)",
    };

    private static string? BubblewrapProblem(HostToolPaths tools, bool isRoot, Func<string?> probe)
    {
        if (tools.Bwrap is null)
        {
            return Strings.SandboxBwrapMissing;
        }

        if (isRoot && (tools.Setpriv is null || tools.Unshare is null))
        {
            return Missing(tools.Setpriv is null ? "setpriv" : "unshare", "util-linux");
        }

        return probe() is { } failure
            ? string.Format(CultureInfo.InvariantCulture, Strings.SandboxBwrapFailed, failure)
            : null;
    }

    private static string? ChrootProblem(HostToolPaths tools, bool isRoot) =>
        !isRoot ? Strings.SandboxChrootNeedsRoot
        : tools.Setpriv is null ? Missing("setpriv", "util-linux")
        : tools.Unshare is null ? Missing("unshare", "util-linux")
        : null;

    private static string Missing(string tool, string package) =>
        string.Format(CultureInfo.InvariantCulture, Strings.SandboxToolMissing, tool, package);

    private static KanikoException NoSetsid(SandboxKind kind) => kind switch
    {
        SandboxKind.Automatic => new(DiagnosticCodes.SandboxUnavailable,
            string.Format(CultureInfo.InvariantCulture, Strings.SandboxUnavailable, Missing("setsid", "util-linux"))),
        SandboxKind.Bubblewrap => Unavailable("bwrap", Missing("setsid", "util-linux")),
        _ => Unavailable(kind.ToString().ToLowerInvariant(), Missing("setsid", "util-linux")),
    };

    private static KanikoException Unavailable(string kind, string problem) =>
        new(DiagnosticCodes.SandboxKindUnavailable, string.Format(CultureInfo.InvariantCulture, Strings.SandboxKindUnavailable, kind, problem));

    // Every mode starts its steps through setsid; without it no mode can run, and the error names the one asked for.
    private static HostToolPaths FindTools(SandboxKind kind) => new(
        HostTools.Find("setsid") ?? throw NoSetsid(kind),
        HostTools.Find("bwrap"),
        HostTools.Find("setpriv"),
        HostTools.Find("unshare"),
        HostTools.Find("env"));

    // Runs `true` of the host in the namespaces a step gets (with the host's program folders as its root), so a bwrap
    // that cannot work here (no user namespaces, a seccomp filter) is found before a build relies on it.
    private static string? ProbeBubblewrap()
    {
        var bwrap = HostTools.Find("bwrap");
        var trueProgram = HostTools.Find("true");
        if (bwrap is null || trueProgram is null)
        {
            return bwrap is null ? Strings.SandboxBwrapMissing : Missing("true", "coreutils");
        }

        List<string> args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"];
        if (LibC.EffectiveUserId != 0)
        {
            args.Add("--unshare-user");
        }

        BubblewrapSandbox.AddHostTools(args);
        args.AddRange(["--proc", "/proc", "--dev", "/dev", "--", trueProgram]);
        return HostProbe.Run(bwrap, args);
    }
}
