using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;
using Kaniko.Engine;

namespace Kaniko.Cli;

/// <summary>
/// Makes a root build's mounts (the overlay roots of its stages, a chroot step's binds) private to it: before the
/// build starts, this process becomes <c>unshare --mount --propagation private</c> running this same command line.
/// <c>exec</c> keeps the process id, so a signal, a parent waiting for the exit code or a pod's termination reach the
/// build as before; and the mount namespace ends with the process however it ends, SIGKILL included, so a killed
/// build leaves no mount on the machine (issue: a killed build left <c>rootfs-0</c> mounted). The rootless build,
/// re-entered as root of a user namespace (<see cref="UserNamespaceReentry"/>), comes here too: the mount namespace
/// it makes is owned by that user namespace, which is what lets the kernel mount its stages' overlays
/// (<c>userxattr</c>) at all.
/// <para>
/// Not done where it cannot work or is not needed: not root, no <c>CAP_SYS_ADMIN</c> (an unprivileged pod: the build
/// there mounts nothing), no <c>unshare</c> program, or <c>--stage-root=unpack</c> (no overlay; a chroot step's
/// mounts are handed to the step's own namespaces then). A build run by a library host (the MSBuild tasks) stays in
/// its host's namespace; its leftovers are removed by the next build.
/// </para>
/// <para>
/// Nor for a build that runs no <c>RUN</c> step (<see cref="KanikoPlanner.MayRunCommands"/>: a COPY-only image), the
/// only step that mounts: starting the tool a second time is most of such a build's fixed cost. Its request is given
/// <c>--stage-root=unpack</c>, so that a <c>RUN</c> a base image's <c>ONBUILD</c> adds, unknown until the base is
/// fetched, still mounts nothing in this namespace.
/// </para>
/// </summary>
internal static partial class PrivateMountNamespace
{
    /// <summary>Set in the re-executed build, so it does not try again.</summary>
    internal const string Marker = "KANIKO_PRIVATE_MOUNT_NAMESPACE";

    // Linux capability number of CAP_SYS_ADMIN, which unshare(CLONE_NEWNS) needs in the initial user namespace.
    private const int CapSysAdmin = 21;

    /// <summary>
    /// Replaces this process with the same build inside a private mount namespace, where that is useful and possible;
    /// returns the request to build here otherwise, or when <c>exec</c> fails.
    /// </summary>
    public static BuildRequest EnterIfUseful(BuildRequest request, Action<string> debug)
    {
        if (!OperatingSystem.IsLinux() || !IsThisTool() || Environment.GetEnvironmentVariable(Marker) is not null
            || !Environment.IsPrivilegedProcess || request.StageRoot == StageRootKind.Unpack
            || !HasCapability(CapSysAdmin) || FindUnshare() is not { } unshare)
        {
            return request;
        }

        if (WithoutRunSteps(request) is { } unmounted)
        {
            debug("private mount namespace: no RUN step in the stages built; building in this one");
            return unmounted;
        }

        // exec cannot be taken back: first make sure unshare can make the namespace here (in a chroot whose root is no
        // mount point, making "/" private fails), by letting it run its own --version inside one.
        if (!CanUnshare(unshare))
        {
            debug("private mount namespace: unshare --mount cannot work here; building in this one");
            return request;
        }

        string[] argv = [unshare, "--mount", "--propagation", "private", "--", .. OwnCommandLine.Get()];
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}={e.Value}"))
            .Append(Marker + "=1")
            .ToArray();
        // execve returns only on failure; the build then simply runs in this namespace.
        _ = Execve(unshare, [.. argv, null], [.. environment, null]);
        debug(string.Create(CultureInfo.InvariantCulture, $"private mount namespace: exec {unshare} failed (errno {Marshal.GetLastPInvokeError()}); building in this one"));
        return request;
    }

    /// <summary>
    /// The request to build without a private mount namespace when <paramref name="request"/> runs no <c>RUN</c>
    /// step: the same with <see cref="StageRootKind.Unpack"/>, which keeps a base image's <c>ONBUILD RUN</c> from
    /// mounting here; <c>null</c> when it may run one.
    /// </summary>
    internal static BuildRequest? WithoutRunSteps(BuildRequest request) =>
        KanikoPlanner.MayRunCommands(request) ? null : request with { StageRoot = StageRootKind.Unpack };

    // Only the tool's own process may be replaced: a host that runs the command in its process (a test host) would
    // be started again from the beginning.
    private static bool IsThisTool() =>
        System.Reflection.Assembly.GetEntryAssembly() == typeof(PrivateMountNamespace).Assembly;

    private static bool HasCapability(int capability)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            return line is not null
                && ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask)
                && (mask & (1UL << capability)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool CanUnshare(string unshare)
    {
        try
        {
            var probe = new System.Diagnostics.ProcessStartInfo(unshare)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "--mount", "--propagation", "private", "--", unshare, "--version" })
            {
                probe.ArgumentList.Add(argument);
            }

            using var process = System.Diagnostics.Process.Start(probe);
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    // The executor image ships util-linux's unshare in /kaniko/bin; elsewhere it is on PATH.
    private static string? FindUnshare() =>
        new[] { "/kaniko/bin" }
            .Concat((Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Select(directory => Path.Combine(directory, "unshare"))
            .FirstOrDefault(File.Exists);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execve(string path, string?[] argv, string?[] envp);
}
