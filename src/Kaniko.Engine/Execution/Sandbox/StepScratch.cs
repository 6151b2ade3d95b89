using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// What every isolation mode prepares for a step outside the rootfs: the checked spec, the resolved user, the
/// environment with its <c>HOME</c> (<see cref="SandboxHome"/>), the working directory (created in the rootfs as BuildKit does, owned by the user; it stays), and a private temporary folder
/// for the generated <c>/etc/hosts</c> and the heredoc script, deleted on dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class StepScratch : IDisposable
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755

    // Owned, so the next build removes it when a killed builder could not (AbandonedLeftovers).
    private readonly OwnedFolder _folder;

    private StepScratch(string rootFs, SandboxIdentity identity, IReadOnlyList<string> environment, string workingDirectory, OwnedFolder folder)
    {
        _folder = folder;
        RootFs = rootFs;
        Identity = identity;
        Environment = environment;
        WorkingDirectory = workingDirectory;
        Folder = folder.Path;
    }

    /// <summary>The full path of the rootfs, without a trailing slash (except for <c>/</c>).</summary>
    public string RootFs { get; }

    /// <summary>The ids the process runs with.</summary>
    public SandboxIdentity Identity { get; }

    /// <summary>The process's <c>NAME=value</c> entries: the spec's, with <c>HOME</c> added when it has none.</summary>
    public IReadOnlyList<string> Environment { get; }

    /// <summary>The working directory, cleaned, symbolic links resolved inside the rootfs.</summary>
    public string WorkingDirectory { get; }

    /// <summary>The private temporary folder.</summary>
    public string Folder { get; }

    /// <summary>
    /// Refuses the machine's own <c>/</c> as the rootfs of an isolating sandbox, before anything (the working
    /// directory) is created in it.
    /// </summary>
    public static void RefuseMachineRoot(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (Path.TrimEndingDirectorySeparator(Path.GetFullPath(spec.RootFs)) == "/")
        {
            throw new KanikoException(DiagnosticCodes.SandboxRootFsInvalid, Strings.SandboxRootFsIsHost);
        }
    }

    /// <summary>Checks <paramref name="spec"/>, resolves its user and creates its working directory.</summary>
    public static StepScratch Prepare(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Args.Count == 0)
        {
            throw new ArgumentException("a RUN step needs at least one argument", nameof(spec));
        }

        var rootFs = Path.GetFullPath(spec.RootFs);
        if (!Directory.Exists(rootFs))
        {
            throw new KanikoException(DiagnosticCodes.SandboxRootFsInvalid, Format(Strings.SandboxRootFsMissing, spec.RootFs));
        }

        var identity = SandboxUserResolver.Resolve(rootFs, spec.User);
        var environment = SandboxHome.Complete(spec.Environment, identity.Uid, () => SandboxUserResolver.ReadUserFile(rootFs, "/etc/passwd"));
        var workingDirectory = EnsureWorkingDirectory(rootFs, spec.WorkingDirectory, identity);
        var folder = OwnedFolder.Create(Path.GetTempPath(), AbandonedLeftovers.RunFolderPrefix);
        return new StepScratch(Path.TrimEndingDirectorySeparator(rootFs), identity, environment, workingDirectory, folder);
    }

    /// <summary>
    /// Writes the step's <c>/etc/hosts</c>: the loopback names and the host name, what BuildKit writes for a build
    /// container (the machine's own entries are not copied, so a build does not depend on them).
    /// </summary>
    public string WriteHostsFile(string hostname)
    {
        var path = Path.Combine(Folder, "hosts");
        File.WriteAllText(path, $"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, (UnixFileMode)0x1A4);
        return path;
    }

    /// <summary>Writes the heredoc script (mode 0755) and returns its host path.</summary>
    public string WriteScript(RunScript script)
    {
        var path = Path.Combine(Folder, "script");
        File.WriteAllText(path, script.Content, new UTF8Encoding(false));
        File.SetUnixFileMode(path, DirectoryMode);
        return path;
    }

    /// <summary>Deletes the temporary folder.</summary>
    public void Dispose() => _folder.Dispose();

    /// <summary>The user mounts (binds and tmpfs) in the order they must be made: parents before children.</summary>
    public static IReadOnlyList<StepMount> OrderedMounts(SandboxSpec spec) =>
        spec.TmpfsMounts.Select(t => new StepMount(CheckTarget(t.Target), null, t))
            .Concat(spec.BindMounts.Select(b => new StepMount(CheckTarget(b.Target), b, null)))
            .OrderBy(m => m.Target.Count(c => c == '/'))
            .ToArray();

    /// <summary>A mount target must be an absolute container path other than <c>/</c>.</summary>
    public static string CheckTarget(string target)
    {
        var cleaned = RootPath.Clean(target);
        return !target.StartsWith('/') || cleaned == "/"
            ? throw new KanikoException(DiagnosticCodes.RunMountInvalid, Format(Strings.RunMountInvalid, target, "it must be an absolute path below /"))
            : cleaned;
    }

    private static string EnsureWorkingDirectory(string rootFs, string workingDirectory, SandboxIdentity identity)
    {
        var cleaned = RootPath.Clean(workingDirectory.Length == 0 ? "/" : workingDirectory);
        var hostPath = RootPath.Resolve(rootFs, cleaned);
        var root = Path.TrimEndingDirectorySeparator(rootFs).TrimEnd('/');
        if (Directory.Exists(hostPath))
        {
            return hostPath.Length == root.Length ? "/" : hostPath[root.Length..];
        }

        var relative = hostPath[(root.Length + 1)..].Split('/');
        var current = root;
        var chown = LibC.EffectiveUserId == 0;
        foreach (var part in relative)
        {
            current += "/" + part;
            if (Directory.Exists(current))
            {
                continue;
            }

            if (File.Exists(current) || new FileInfo(current).LinkTarget is not null)
            {
                throw new KanikoException(DiagnosticCodes.RunWorkingDirectoryInvalid,
                    Format(Strings.RunWorkingDirectoryInvalid, cleaned, current[root.Length..] + " is not a directory"));
            }

            Directory.CreateDirectory(current, DirectoryMode);
            if (chown && LibC.ChangeOwner(current, identity.Uid, identity.Gid) is var errno and not 0)
            {
                throw new KanikoException(DiagnosticCodes.RunWorkingDirectoryInvalid,
                    Format(Strings.RunWorkingDirectoryInvalid, cleaned, LibC.Describe(errno)));
            }
        }

        return hostPath[root.Length..];
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}

/// <summary>A user mount of a step with its cleaned target: a bind mount or a tmpfs.</summary>
/// <param name="Target">The cleaned absolute container path.</param>
/// <param name="Bind">The bind mount, or <c>null</c>.</param>
/// <param name="Tmpfs">The tmpfs, or <c>null</c>.</param>
internal sealed record StepMount(string Target, SandboxBindMount? Bind, SandboxTmpfsMount? Tmpfs);
