using System.Globalization;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// What chroot mode may do here to keep a step from outliving the builder, probed once per sandbox: a private mount
/// namespace and a PID namespace (util-linux <c>unshare --mount --pid --fork --kill-child</c>), and a <c>/proc</c> of
/// that PID namespace. Root without <c>CAP_SYS_ADMIN</c> (an unprivileged pod) gets neither.
/// </summary>
/// <param name="Namespaces">Whether the step can run in new mount and PID namespaces.</param>
/// <param name="Proc">Whether <c>/proc</c> can be mounted in them.</param>
/// <param name="Problem">Why not, in the tool's own words, when one of the two cannot be had.</param>
internal sealed record ChrootNamespaces(bool Namespaces, bool Proc, string? Problem)
{
    // unshare runs itself as the probe's program: the executor image ships no `true`.
    private const string ProbeProgramArgument = "--version";

    /// <summary>Tries <paramref name="unshare"/> with the namespaces a step would get, first with a <c>/proc</c>, then without.</summary>
    public static ChrootNamespaces Probe(string unshare)
    {
        var target = Directory.CreateTempSubdirectory(AbandonedLeftovers.RunFolderPrefix + "probe-");
        try
        {
            // The proc mount lands in the probe's own mount namespace and ends with it; the host never sees it.
            var withProc = HostProbe.Run(unshare, [.. Prefix(unshare, target.FullName), unshare, ProbeProgramArgument]);
            if (withProc is null)
            {
                return new ChrootNamespaces(true, true, null);
            }

            var without = HostProbe.Run(unshare, [.. Prefix(unshare, null), unshare, ProbeProgramArgument]);
            return new ChrootNamespaces(without is null, false, without ?? withProc);
        }
        finally
        {
            target.Delete();
        }
    }

    /// <summary>
    /// The arguments after <paramref name="unshare"/> that run the rest of the command line in new mount and PID
    /// namespaces, with <c>/proc</c> of the PID namespace mounted at <paramref name="procTarget"/> when given.
    /// <para>
    /// The namespace's first process (unshare's forked child) gets <c>SIGKILL</c> when unshare dies
    /// (<c>--kill-child</c>), and its end kills every process of the namespace. It must stay a process whose ids never
    /// change, because a change of ids clears the parent-death signal: so it is a second <c>unshare --fork
    /// --kill-child</c> that only waits, and the step's user is set below it.
    /// </para>
    /// </summary>
    public static IReadOnlyList<string> Prefix(string unshare, string? procTarget)
    {
        List<string> args = ["--mount", "--propagation=private", "--pid", "--fork", "--kill-child"];
        if (procTarget is not null)
        {
            args.Add("--mount-proc=" + procTarget);
        }

        args.AddRange(["--", unshare, "--fork", "--kill-child", "--"]);
        return args;
    }

    /// <summary>
    /// Waits until the process <paramref name="pid"/> (the outer unshare) is in a mount namespace of its own whose
    /// mounts no longer propagate to this one (unshare's child makes them private right after it forks); from then
    /// on, this process may detach its copies of the step's mounts without the step losing its own. False when that
    /// was not seen within <paramref name="timeout"/> or the process ended first: the copies must then stay until the
    /// step ends.
    /// </summary>
    public static bool WaitUntilPrivate(int pid, TimeSpan timeout)
    {
        if (MountNamespace("self") is not { } own)
        {
            return false;
        }

        var deadline = DateTime.UtcNow + timeout;
        var proc = "/proc/" + pid.ToString(CultureInfo.InvariantCulture);
        while (DateTime.UtcNow < deadline)
        {
            var theirs = MountNamespace(pid.ToString(CultureInfo.InvariantCulture));
            if (theirs is null)
            {
                return false;
            }

            if (theirs != own && ReadMountInfo(proc) is { Length: > 0 } mountInfo
                && !mountInfo.Contains(" shared:", StringComparison.Ordinal))
            {
                return true;
            }

            Thread.Sleep(1);
        }

        return false;
    }

    private static string? MountNamespace(string process)
    {
        try
        {
            return new FileInfo("/proc/" + process + "/ns/mnt").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadMountInfo(string proc)
    {
        try
        {
            return File.ReadAllText(proc + "/mountinfo");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
