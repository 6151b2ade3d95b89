using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Runs a step as root without namespaces (for example in an unprivileged container, where bwrap cannot work):
/// <c>setpriv</c> sets the groups and keeps only Docker's default capabilities, then <c>unshare --root --wd
/// --setuid</c> enters the rootfs (chroot), changes to the working directory and drops to the user. coreutils'
/// <c>chroot --userspec</c> would do the same but always starts in <c>/</c>.
/// <para>
/// The device nodes of a container's <c>/dev</c> (null, zero, full, random, urandom, tty) are made with mknod when
/// missing; <c>/proc</c>, <c>/etc/resolv.conf</c> and <c>/etc/hosts</c> are mounted only when mounting is permitted;
/// bind and tmpfs mounts need that permission. Everything is unmounted and removed when the step ends. There is no
/// PID or UTS namespace: the host name is the machine's, and the step sees the machine's processes in <c>/proc</c>.
/// </para>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ChrootSandbox : ISandbox
{
    private static readonly (string Name, uint Major, uint Minor)[] Devices =
    [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ];

    private readonly HostToolPaths _tools;
    private readonly IBuildEventSink _events;

    /// <summary>Creates a sandbox that uses the given programs.</summary>
    public ChrootSandbox(HostToolPaths tools, IBuildEventSink events)
    {
        _tools = tools;
        _events = events;
    }

    /// <inheritdoc />
    public SandboxKind Kind => SandboxKind.Chroot;

    /// <inheritdoc />
    public async Task<int> RunAsync(SandboxSpec spec, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        StepScratch.RefuseMachineRoot(spec);
        using var scratch = StepScratch.Prepare(spec);

        using var stubs = new MountStubs(scratch.RootFs);
        var mounts = new List<string>();
        try
        {
            MakeDevices(stubs);
            MountOptional(stubs, mounts, "/proc", directory: true, "proc", "proc", LibC.MsNosuid | LibC.MsNodev | LibC.MsNoexec,
                errno => Warn(Strings.SandboxChrootNoProc, LibC.Describe(errno)));
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

            var command = BuildCommand(spec, scratch, _tools);
            return await SandboxProcess.RunAsync(command, _tools.Setsid, output, cancellationToken).ConfigureAwait(false);
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

    /// <summary>The host command that enters the rootfs and runs the step.</summary>
    internal static HostCommand BuildCommand(SandboxSpec spec, StepScratch scratch, HostToolPaths tools)
    {
        var identity = scratch.Identity;
        var bounding = "-all," + string.Join(',', BubblewrapSandbox.DefaultCapabilities.Select(c => "+" + c[4..].ToLowerInvariant()));
        List<string> args =
        [
            "--regid=" + Id(identity.Gid), "--groups=" + identity.GroupList, "--inh-caps=-all", "--bounding-set=" + bounding, "--",
            tools.Unshare!, "--root=" + scratch.RootFs, "--wd=" + scratch.WorkingDirectory,
        ];
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
        _events.Report(new WarningEvent(new BuildWarning(DiagnosticCodes.SandboxDegraded, string.Format(CultureInfo.InvariantCulture, format, args))));

    private static KanikoException Invalid(string target, string reason) =>
        new(DiagnosticCodes.RunMountInvalid, string.Format(CultureInfo.InvariantCulture, Strings.RunMountInvalid, target, reason));

    private static string Id(uint id) => id.ToString(CultureInfo.InvariantCulture);
}
