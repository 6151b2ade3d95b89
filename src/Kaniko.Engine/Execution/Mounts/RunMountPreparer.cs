using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// Turns the <c>--mount</c> flags of one <c>RUN</c> step into sandbox mounts and environment, with BuildKit's
/// defaults (<c>dockerfile2llb</c>'s <c>dispatchRunMounts</c>, <c>dispatchSecret</c>, <c>dispatchSSH</c>):
/// a relative target is joined to the working directory; bind mounts read the context (or a stage or image) and
/// are read-only unless <c>rw</c>, whose writes are thrown away; cache mounts are kept between builds; secrets
/// are files under <c>/run/secrets</c> (mode 0400) or variables; SSH agents are sockets under
/// <c>/run/buildkit/ssh_agent.N</c> (mode 0600) and the first one is <c>SSH_AUTH_SOCK</c>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RunMountPreparer
{
    private const UnixFileMode SecretMode = UnixFileMode.UserRead; // 0400
    private const UnixFileMode SshMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600
    private readonly RunMountOptions _options;

    /// <summary>Prepares mounts with the build's caches, secrets and agents.</summary>
    public RunMountPreparer(RunMountOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>
    /// Prepares the mounts of a step. A secret or agent the build was not given is skipped, or is an error when the
    /// mount says <c>required</c>. Errors carry <paramref name="range"/>; whatever was made before an error is removed.
    /// </summary>
    /// <param name="mounts">The step's mounts, expanded.</param>
    /// <param name="workingDirectory">The step's working directory, for relative targets.</param>
    /// <param name="sources">Opens the context, stages and images mounts read from.</param>
    /// <param name="range">The <c>RUN</c> instruction's lines.</param>
    /// <param name="cancellationToken">Stops the preparation (for example while waiting for a locked cache).</param>
    public async Task<PreparedRunMounts> PrepareAsync(
        IReadOnlyList<RunMount> mounts, string workingDirectory, IMountSourceProvider sources, SourceRange? range, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        ArgumentNullException.ThrowIfNull(sources);
        var prepared = new PreparedRunMounts();
        try
        {
            var sshIndex = 0;
            foreach (var mount in mounts)
            {
                switch (mount.Type)
                {
                    case RunMountType.Tmpfs:
                        prepared.AddTmpfs(new SandboxTmpfsMount(Target(mount.Target, workingDirectory), mount.SizeLimit));
                        break;
                    case RunMountType.Bind:
                        await BindAsync(prepared, mount, workingDirectory, sources, cancellationToken).ConfigureAwait(false);
                        break;
                    case RunMountType.Cache:
                        await CacheAsync(prepared, mount, workingDirectory, sources, cancellationToken).ConfigureAwait(false);
                        break;
                    case RunMountType.Secret:
                        Secret(prepared, mount, workingDirectory);
                        break;
                    case RunMountType.Ssh:
                        Ssh(prepared, mount, workingDirectory, sshIndex++);
                        break;
                }
            }

            return prepared;
        }
        catch (KanikoException e) when (range is { } r)
        {
            prepared.Dispose();
            throw e.WithRangeIfMissing(r);
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>The mount's absolute target: a relative one is read from the working directory, as BuildKit does.</summary>
    internal static string Target(string? target, string workingDirectory)
    {
        var joined = RootPath.Clean(string.IsNullOrEmpty(target) || target.StartsWith('/') ? target ?? "" : workingDirectory + "/" + target);
        return string.IsNullOrEmpty(target) || joined == "/"
            ? throw new KanikoException(DiagnosticCodes.MountTargetInvalid, Format(Strings.MountTargetInvalid, target ?? ""))
            : joined;
    }

    private async Task BindAsync(PreparedRunMounts prepared, RunMount mount, string workingDirectory, IMountSourceProvider sources, CancellationToken cancellationToken)
    {
        var target = Target(mount.Target, workingDirectory);
        var source = await sources.OpenAsync(mount.From, cancellationToken).ConfigureAwait(false);
        var copy = Path.Combine(prepared.NewFolder(_options.WorkDirectory, "mount-"), "source");
        MountSourceCopier.Copy(source, mount.Source ?? "/", copy, cancellationToken);
        prepared.AddBind(new SandboxBindMount(copy, target, mount.ReadOnly));
    }

    private async Task CacheAsync(PreparedRunMounts prepared, RunMount mount, string workingDirectory, IMountSourceProvider sources, CancellationToken cancellationToken)
    {
        var target = Target(mount.Target, workingDirectory);
        var id = string.IsNullOrEmpty(mount.Id) ? RootPath.Clean(mount.Target!) : mount.Id;
        // A cache without from starts empty, as BuildKit mounts it from scratch; a seeded one keeps its source's
        // owner and mode unless the mount sets them.
        Func<string, CancellationToken, Task>? seed = null;
        if (mount.From is { } from)
        {
            var source = await sources.OpenAsync(from, cancellationToken).ConfigureAwait(false);
            var sourcePath = mount.Source ?? "/";
            seed = (staging, token) =>
            {
                if (!MountSourceCopier.Copy(source, sourcePath, staging, token))
                {
                    throw new KanikoException(DiagnosticCodes.MountSourceNotFound,
                        Format(Strings.MountSourceNotFound, RootPath.Clean(sourcePath) + " (a directory)", source.Description));
                }

                return Task.CompletedTask;
            };
        }

        var ownerGiven = mount.Uid is not null || mount.Gid is not null;
        CopyOwner? owner = ownerGiven || seed is null ? new CopyOwner((int)(mount.Uid ?? 0), (int)(mount.Gid ?? 0)) : null;
        UnixFileMode? mode = mount.Mode is { } m ? (UnixFileMode)m : seed is null ? LayerEntry.DefaultDirectoryMode : null;
        var variant = string.Join('\0', mount.From ?? "", mount.From is null ? "" : mount.Source ?? "/",
            mount.Uid?.ToString(CultureInfo.InvariantCulture) ?? "", mount.Gid?.ToString(CultureInfo.InvariantCulture) ?? "",
            mount.Mode?.ToString(CultureInfo.InvariantCulture) ?? "");
        var lease = await _options.Caches.AcquireAsync(id, variant, mount.Sharing ?? CacheSharing.Shared, owner, mode, seed, cancellationToken)
            .ConfigureAwait(false);
        prepared.Own(lease);
        prepared.AddBind(new SandboxBindMount(lease.Directory, target, mount.ReadOnly));
    }

    private void Secret(PreparedRunMounts prepared, RunMount mount, string workingDirectory)
    {
        var id = !string.IsNullOrEmpty(mount.Source) ? mount.Source
            : !string.IsNullOrEmpty(mount.Id) ? mount.Id
            : Basename(mount.Target!);
        var secret = _options.Secrets.LastOrDefault(s => s.Id == id);
        if (secret is null)
        {
            if (mount.Required)
            {
                throw new KanikoException(DiagnosticCodes.SecretRequired, Format(Strings.SecretRequired, id));
            }

            return;
        }

        var value = secret.ReadValue();
        if (mount.Env is { } name)
        {
            prepared.AddEnvironment(name, Encoding.UTF8.GetString(value), replace: true);
            if (string.IsNullOrEmpty(mount.Target))
            {
                return;
            }
        }

        var target = Target(string.IsNullOrEmpty(mount.Target) ? "/run/secrets/" + Basename(id) : mount.Target, workingDirectory);
        var file = Path.Combine(prepared.NewFolder(SecretFolderParent(), "kaniko-secret-"), "value");
        using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(value);
        }

        SetOwnerAndMode(file, mount, SecretMode);
        prepared.AddBind(new SandboxBindMount(file, target, ReadOnly: true));
    }

    private void Ssh(PreparedRunMounts prepared, RunMount mount, string workingDirectory, int index)
    {
        var id = string.IsNullOrEmpty(mount.Id) ? SshSource.DefaultId : mount.Id;
        var target = Target(string.IsNullOrEmpty(mount.Target) ? "/run/buildkit/ssh_agent." + index.ToString(CultureInfo.InvariantCulture) : mount.Target, workingDirectory);
        if (index == 0)
        {
            // BuildKit sets it from the first ssh mount whether or not the agent is given.
            prepared.AddEnvironment("SSH_AUTH_SOCK", target, replace: false);
        }

        var agent = _options.SshAgents.LastOrDefault(a => a.Id == id);
        if (agent is null)
        {
            if (mount.Required)
            {
                throw new KanikoException(DiagnosticCodes.SshRequired, Format(Strings.SshRequired, id));
            }

            return;
        }

        // A short folder: a socket path must fit in 108 bytes.
        var socket = Path.Combine(prepared.NewFolder(Path.GetTempPath(), "kaniko-ssh-"), "agent");
        var owner = new CopyOwner((int)(mount.Uid ?? 0), (int)(mount.Gid ?? 0));
        var proxy = prepared.Own(SshAgentProxy.Start(agent.SocketPath, socket, owner, mount.Mode is { } m ? (UnixFileMode)m : SshMode));
        prepared.AddBind(new SandboxBindMount(proxy.SocketPath, target, ReadOnly: false));
    }

    // Secrets go to memory (/dev/shm) when the machine has it, so their values never reach a disk.
    private static string SecretFolderParent() =>
        Directory.Exists("/dev/shm") && !OperatingSystem.IsWindows() ? "/dev/shm" : Path.GetTempPath();

    private static void SetOwnerAndMode(string path, RunMount mount, UnixFileMode defaultMode)
    {
        File.SetUnixFileMode(path, mount.Mode is { } m ? (UnixFileMode)m : defaultMode);
        if (LibC.EffectiveUserId == 0
            && LibC.ChangeOwner(path, mount.Uid ?? 0, mount.Gid ?? 0) is var errno and not 0)
        {
            throw new IOException("cannot change the owner of " + path + ": " + LibC.Describe(errno));
        }
    }

    private static string Basename(string path)
    {
        var trimmed = path.TrimEnd('/');
        return trimmed.Length == 0 ? "/" : trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
