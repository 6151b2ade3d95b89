using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Runs a step as root without a user namespace (for example in an unprivileged container, where bwrap cannot work):
/// <c>setpriv</c> sets the groups and keeps only Docker's default capabilities, then <c>unshare --root --wd
/// --setuid</c> enters the rootfs (chroot), changes to the working directory and drops to the user. coreutils'
/// <c>chroot --userspec</c> would do the same but always starts in <c>/</c>.
/// <para>
/// The device nodes of a container's <c>/dev</c> (null, zero, full, random, urandom, tty) are made with mknod when
/// missing; <c>/proc</c>, <c>/etc/resolv.conf</c> and <c>/etc/hosts</c> are mounted only when mounting is permitted;
/// bind and tmpfs mounts need that permission. Everything is unmounted and removed when the step ends. There is no
/// UTS namespace: the host name is the machine's.
/// </para>
/// <para>
/// Where namespaces may be made (<see cref="ChrootNamespaces"/>), the step runs in a private mount namespace and a PID
/// namespace of its own, both ending with this process however it ends (a parent-death signal kills the namespace's
/// first process, whose end kills the rest): <c>/proc</c> is mounted inside them, and the other mounts, made here
/// before the step starts, are detached from this process's namespace as soon as the step's namespace holds its own
/// copies, so a killed build leaves neither mounts nor processes. Where they may not (no <c>CAP_SYS_ADMIN</c>, which
/// also means no mounts), the step's first process gets the parent-death signal alone.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ChrootSandbox : IsolatingSandbox
{
    private static readonly (string Name, uint Major, uint Minor)[] Devices =
    [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ];

    // Long enough for a loaded machine to fork and exec unshare; past it the step keeps this namespace's mounts.
    private static readonly TimeSpan HandOverTimeout = TimeSpan.FromSeconds(10);

    private readonly Lazy<ChrootNamespaces> _namespaces;

    /// <summary>Creates a sandbox that uses the given programs.</summary>
    public ChrootSandbox(HostToolPaths tools, IBuildEventSink events)
        : base(tools, events)
    {
        _namespaces = new(ProbeNamespaces);
    }

    /// <inheritdoc />
    public override SandboxKind Kind => SandboxKind.Chroot;

    /// <inheritdoc />
    protected override async Task<int> RunPreparedAsync(
        SandboxSpec spec, StepScratch scratch, MountStubs stubs, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        var namespaces = _namespaces.Value;
        var mounts = new List<string>();
        try
        {
            MakeDevices(stubs);
            string? procTarget = null;
            if (namespaces.Proc)
            {
                // Mounted by unshare inside the step's namespaces, so it shows the step's PID namespace.
                procTarget = stubs.Directory("/proc");
            }
            else if (namespaces.Namespaces)
            {
                stubs.Directory("/proc");
                Warn(Strings.SandboxChrootNoProc, namespaces.Problem!);
            }
            else
            {
                MountOptional(stubs, mounts, "/proc", directory: true, "proc", "proc", LibC.MsNosuid | LibC.MsNodev | LibC.MsNoexec,
                    errno => Warn(Strings.SandboxChrootNoProc, LibC.Describe(errno)));
            }

            if (File.Exists("/etc/resolv.conf"))
            {
                MountOptional(stubs, mounts, "/etc/resolv.conf", directory: false, "/etc/resolv.conf", null, LibC.MsBind, _ => { });
            }

            MountOptional(stubs, mounts, "/etc/hosts", directory: false, scratch.WriteHostsFile(spec.Hostname), null, LibC.MsBind, _ => { });
            foreach (var mount in StepScratch.OrderedMounts(spec))
            {
                MountRequired(stubs, mounts, mount);
            }

            if (spec.Script is { } script)
            {
                var target = stubs.File(script.Path);
                File.Copy(scratch.WriteScript(script), target, overwrite: true);
                File.SetUnixFileMode(target, (UnixFileMode)0x16D); // 0555: the step reads and runs it, as BuildKit's read-only mount
            }

            var command = BuildCommand(spec, scratch, Tools, namespaces.Namespaces, procTarget);
            Action<int>? started = namespaces.Namespaces ? pid => HandOver(pid, mounts) : null;
            return await SandboxProcess.RunAsync(command, Tools.Setsid, output, started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            KillProcessesRootedIn(scratch.RootFs);
            for (var i = mounts.Count - 1; i >= 0; i--)
            {
                _ = LibC.Unmount(mounts[i]);
            }

            if (spec.Script is { } script)
            {
                // The copy is not empty, so the stub cleaner would keep it.
                var copy = stubs.Resolve(script.Path);
                if (File.Exists(copy))
                {
                    File.WriteAllBytes(copy, []);
                }
            }
        }
    }

    /// <summary>
    /// The host command that enters the rootfs and runs the step: in new mount and PID namespaces when
    /// <paramref name="namespaces"/> (with <c>/proc</c> mounted at <paramref name="procTarget"/> when given), always
    /// with a parent-death signal on its first process.
    /// </summary>
    internal static HostCommand BuildCommand(
        SandboxSpec spec, StepScratch scratch, HostToolPaths tools, bool namespaces = false, string? procTarget = null)
    {
        var identity = scratch.Identity;
        var bounding = "-all," + string.Join(',', BubblewrapSandbox.DefaultCapabilities.Select(c => "+" + c[4..].ToLowerInvariant()));
        // The signal goes with the builder's RUN thread (SandboxProcess). setpriv sets it after changing the ids, so it
        // holds for the program it starts; a later change of ids (unshare --setuid) clears it, which is why, where
        // namespaces can be made, the guard is their first process, whose ids never change.
        List<string> args = ["--pdeathsig=KILL"];
        if (namespaces)
        {
            args.AddRange(["--", tools.Unshare!, .. ChrootNamespaces.Prefix(tools.Unshare!, procTarget), tools.Setpriv!]);
        }

        args.AddRange(
        [
            "--regid=" + Id(identity.Gid), "--groups=" + identity.GroupList, "--inh-caps=-all", "--bounding-set=" + bounding, "--",
            tools.Unshare!, "--root=" + scratch.RootFs, "--wd=" + scratch.WorkingDirectory,
        ]);
        if (spec.Network == SandboxNetwork.None)
        {
            args.Add("--net");
        }

        if (identity.Uid != 0)
        {
            args.Add("--setuid=" + Id(identity.Uid));
        }

        args.Add("--");
        args.AddRange(spec.Args);
        return new HostCommand(tools.Setpriv!, args, scratch.Environment);
    }

    /// <summary>
    /// Without a PID namespace, a process the step detached (a daemon in a session of its own) escapes the process
    /// group kill; every process whose root directory is the rootfs belongs to the step, so it ends with it.
    /// </summary>
    internal static void KillProcessesRootedIn(string rootFs)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (new FileInfo(Path.Combine(directory, "root")).LinkTarget == rootFs)
                {
                    LibC.KillProcess(pid);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    // Once the step's mount namespace holds its own copies of the mounts and no longer shares mount events with this
    // one, this namespace's copies go: from then on a killed builder leaves none. Should that not be seen in time, they
    // stay until the step ends (and the next build's leftover cleanup removes them after a kill).
    private static void HandOver(int pid, List<string> mounts)
    {
        if (mounts.Count == 0 || !ChrootNamespaces.WaitUntilPrivate(pid, HandOverTimeout))
        {
            return;
        }

        for (var i = mounts.Count - 1; i >= 0; i--)
        {
            _ = LibC.Unmount(mounts[i]);
        }

        mounts.Clear();
    }

    private ChrootNamespaces ProbeNamespaces()
    {
        var namespaces = ChrootNamespaces.Probe(Tools.Unshare!);
        if (!namespaces.Namespaces)
        {
            Events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.SandboxChrootNoNamespaces, namespaces.Problem),
                MessageImportance.Low));
        }

        return namespaces;
    }

    private void MakeDevices(MountStubs stubs)
    {
        stubs.Directory("/dev");
        foreach (var (name, major, minor) in Devices)
        {
            var path = stubs.Resolve("/dev/" + name);
            if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
            {
                continue;
            }

            var errno = 0;
            stubs.Record(path, () => errno = LibC.MakeCharacterDevice(path, major, minor));
            if (errno != 0)
            {
                Warn(Strings.SandboxChrootNoDevice, name, LibC.Describe(errno));
            }
        }
    }

    private static void MountOptional(
        MountStubs stubs, List<string> mounts, string containerPath, bool directory, string source, string? type, ulong flags, Action<int> onFailure)
    {
        var target = directory ? stubs.Directory(containerPath) : stubs.File(containerPath);
        var errno = LibC.Mount(source, target, type, flags, null);
        if (errno != 0)
        {
            onFailure(errno);
            return;
        }

        mounts.Add(target);
        if (type is null)
        {
            errno = LibC.Mount(null, target, null, LibC.MsBind | LibC.MsRemount | LibC.MsRdonly, null);
            if (errno != 0)
            {
                onFailure(errno);
            }
        }
    }

    private static void MountRequired(MountStubs stubs, List<string> mounts, StepMount mount)
    {
        string target;
        int errno;
        if (mount.Tmpfs is { } tmpfs)
        {
            target = stubs.Directory(mount.Target);
            var data = tmpfs.SizeBytes is { } size ? "size=" + size.ToString(CultureInfo.InvariantCulture) : null;
            errno = LibC.Mount("tmpfs", target, "tmpfs", 0, data);
        }
        else
        {
            var bind = mount.Bind!;
            var isDirectory = Directory.Exists(bind.Source);
            if (!isDirectory && !File.Exists(bind.Source))
            {
                throw Invalid(mount.Target, "its source " + bind.Source + " does not exist");
            }

            target = isDirectory ? stubs.Directory(mount.Target) : stubs.File(mount.Target);
            errno = LibC.Mount(bind.Source, target, null, LibC.MsBind | LibC.MsRec, null);
            if (errno == 0)
            {
                mounts.Add(target);
                if (bind.ReadOnly)
                {
                    errno = LibC.Mount(null, target, null,
                        LibC.MsBind | LibC.MsRemount | LibC.MsRdonly, null);
                }

                if (errno != 0)
                {
                    throw Invalid(mount.Target, "chroot mode cannot mount it read-only: " + LibC.Describe(errno));
                }

                return;
            }
        }

        if (errno != 0)
        {
            throw Invalid(mount.Target, "chroot mode cannot mount here: " + LibC.Describe(errno));
        }

        mounts.Add(target);
    }

    private void Warn(string format, params object[] args) =>
        Events.Report(new WarningEvent(new BuildWarning(DiagnosticCodes.SandboxDegraded, string.Format(CultureInfo.InvariantCulture, format, args))));

    private static KanikoException Invalid(string target, string reason) =>
        new(DiagnosticCodes.RunMountInvalid, string.Format(CultureInfo.InvariantCulture, Strings.RunMountInvalid, target, reason));

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
