using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Runs a step with <c>bwrap</c> (bubblewrap): new mount, PID, IPC and UTS namespaces (and network with
/// <see cref="SandboxNetwork.None"/>), the rootfs bound read-write as <c>/</c>, a fresh <c>/proc</c>, a minimal
/// <c>/dev</c>, the machine's <c>/etc/resolv.conf</c> and a generated <c>/etc/hosts</c> bound read-only,
/// <c>--die-with-parent</c>, and only Docker's default capabilities for root.
/// <para>
/// bwrap sets a uid only inside a user namespace, where the ids on disk would no longer be the real ones. So as
/// root: the groups are set by <c>setpriv</c> before bwrap; a step running as root gets the rootfs as <c>/</c>
/// directly; a step running as another user gets a read-only view of the host's <c>/usr</c>, <c>/etc</c> and library
/// folders as <c>/</c>, the rootfs below it, and the host's <c>unshare --root --wd --setuid</c> enters the rootfs and
/// drops to the user there (its capabilities go with the uid change). Without root, bwrap makes a user namespace
/// that maps the step's uid and gid to this process's: files the step writes belong to the building user, and
/// supplementary groups cannot be set (a warning says so).
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BubblewrapSandbox : IsolatingSandbox
{
    /// <summary>Docker's and BuildKit's default capabilities of a container's root.</summary>
    internal static readonly string[] DefaultCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Where the rootfs appears when the host's tools form <c>/</c> (a step running as another user).</summary>
    internal const string NestedRoot = "/kaniko-rootfs";

    private static readonly string[] HostToolFolders = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc"];

    /// <summary>Creates a sandbox that uses the given programs.</summary>
    public BubblewrapSandbox(HostToolPaths tools, IBuildEventSink events)
        : base(tools, events)
    {
    }

    /// <inheritdoc />
    public override SandboxKind Kind => SandboxKind.Bubblewrap;

    /// <inheritdoc />
    protected override async Task<int> RunPreparedAsync(
        SandboxSpec spec, StepScratch scratch, MountStubs stubs, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        var command = BuildCommand(spec, scratch, stubs, LibC.EffectiveUserId == 0);
        return await SandboxProcess.RunAsync(command, Tools.Setsid, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The host command that runs <paramref name="spec"/>; creates the mount points it needs in the rootfs.</summary>
    internal HostCommand BuildCommand(SandboxSpec spec, StepScratch scratch, MountStubs stubs, bool asRoot)
    {
        var identity = scratch.Identity;
        var nested = asRoot && identity.Uid != 0;
        var prefix = nested ? NestedRoot : string.Empty;
        List<string> args = ["--unshare-pid", "--unshare-ipc", "--unshare-uts"];
        if (spec.Network == SandboxNetwork.None)
        {
            args.Add("--unshare-net");
        }

        if (!asRoot)
        {
            args.AddRange(["--unshare-user", "--uid", Id(identity.Uid), "--gid", Id(identity.Gid)]);
            if (identity.Groups.Any(g => g != identity.Gid))
            {
                Events.Report(new WarningEvent(new BuildWarning(DiagnosticCodes.SandboxDegraded, Strings.SandboxRootlessGroups)));
            }
        }

        args.AddRange(["--hostname", spec.Hostname, "--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
        var capabilities = identity.Uid == 0 ? DefaultCapabilities : nested ? ["CAP_SYS_CHROOT", "CAP_SETUID"] : [];
        foreach (var capability in capabilities)
        {
            args.AddRange(["--cap-add", capability]);
        }

        if (nested)
        {
            AddHostTools(args);
        }

        args.AddRange(["--bind", scratch.RootFs, nested ? NestedRoot : "/"]);
        if (Directory.Exists(stubs.Resolve("/sys")) && new FileInfo(stubs.Resolve("/sys")).LinkTarget is null)
        {
            args.AddRange(["--ro-bind", "/sys", prefix + stubs.ContainerPath(stubs.Resolve("/sys"))]);
        }

        args.AddRange(["--proc", prefix + Stub(stubs, "/proc", directory: true)]);
        args.AddRange(["--dev", prefix + Stub(stubs, "/dev", directory: true)]);
        if (File.Exists("/etc/resolv.conf"))
        {
            args.AddRange(["--ro-bind", "/etc/resolv.conf", prefix + Stub(stubs, "/etc/resolv.conf", directory: false)]);
        }

        args.AddRange(["--ro-bind", scratch.WriteHostsFile(spec.Hostname), prefix + Stub(stubs, "/etc/hosts", directory: false)]);
        foreach (var mount in StepScratch.OrderedMounts(spec))
        {
            if (mount.Tmpfs is { } tmpfs)
            {
                if (tmpfs.SizeBytes is { } size)
                {
                    args.AddRange(["--size", size.ToString(CultureInfo.InvariantCulture)]);
                }

                args.AddRange(["--tmpfs", prefix + Stub(stubs, mount.Target, directory: true)]);
            }
            else if (mount.Bind is { } bind)
            {
                var isDirectory = Directory.Exists(bind.Source);
                if (!isDirectory && !File.Exists(bind.Source))
                {
                    throw new KanikoException(DiagnosticCodes.RunMountInvalid, string.Format(
                        CultureInfo.InvariantCulture, Strings.RunMountInvalid, bind.Target, "its source " + bind.Source + " does not exist"));
                }

                args.AddRange([bind.ReadOnly ? "--ro-bind" : "--bind", bind.Source, prefix + Stub(stubs, mount.Target, isDirectory)]);
            }
        }

        if (spec.Script is { } script)
        {
            // Under the fresh /dev, which bwrap makes in memory: nothing lands in the rootfs.
            args.AddRange(["--ro-bind", scratch.WriteScript(script), prefix + RootPath.Clean(script.Path)]);
        }

        // The step's variables reach bwrap as its own environment, which only this user and root can read
        // (/proc/PID/environ), never on its command line, which every user can (a secret given with env=). The
        // loader's variables alone go through --setenv, so that they do not act on the host's setpriv and bwrap.
        var environment = scratch.Environment.Where(e => e.IndexOf('=', StringComparison.Ordinal) > 0).ToList();
        foreach (var entry in environment.Where(IsLoaderVariable))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            args.AddRange(["--setenv", entry[..equals], entry[(equals + 1)..]]);
        }

        var inherited = environment.Where(e => !IsLoaderVariable(e)).ToList();

        if (nested)
        {
            args.AddRange(["--chdir", "/", "--", Tools.Unshare!, "--root=" + NestedRoot, "--wd=" + scratch.WorkingDirectory,
                "--setuid=" + Id(identity.Uid), "--"]);
        }
        else
        {
            args.AddRange(["--chdir", scratch.WorkingDirectory, "--"]);
        }

        args.AddRange(spec.Args);
        if (!asRoot)
        {
            return new HostCommand(Tools.Bwrap!, args, inherited);
        }

        // setpriv sets the groups while this process is still root; bwrap leaves them as they are.
        List<string> setpriv = ["--regid=" + Id(identity.Gid), "--groups=" + identity.GroupList, "--", Tools.Bwrap!];
        return new HostCommand(Tools.Setpriv!, [.. setpriv, .. args], inherited);
    }

    // LD_PRELOAD, LD_LIBRARY_PATH and the like name files of the rootfs; on the host they would load the wrong libraries.
    private static bool IsLoaderVariable(string entry) => entry.StartsWith("LD_", StringComparison.Ordinal);

    /// <summary>
    /// The host's program folders, read-only, as <c>/</c> of the outer sandbox: enough to run <c>unshare</c>, never
    /// visible to the step, which runs chrooted in the rootfs below.
    /// </summary>
    internal static void AddHostTools(List<string> args)
    {
        foreach (var name in HostToolFolders)
        {
            var path = "/" + name;
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, path]);
            }
            else if (Directory.Exists(path))
            {
                args.AddRange(["--ro-bind", path, path]);
            }
        }
    }

    private static string Stub(MountStubs stubs, string containerPath, bool directory) =>
        stubs.ContainerPath(directory ? stubs.Directory(containerPath) : stubs.File(containerPath));

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
