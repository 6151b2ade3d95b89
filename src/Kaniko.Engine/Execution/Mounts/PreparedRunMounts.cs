using Kaniko.Engine.Execution.Sandbox;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// The mounts and environment one <c>RUN</c> step gets from its <c>--mount</c> flags, and everything made for them
/// outside the rootfs (copies of bind sources, secret files, agent sockets, cache locks): disposing removes the
/// copies and files, stops the agent proxies and releases the caches, whether the step succeeded, failed or was
/// cancelled. Nothing here is ever written into the rootfs; the sandbox makes (and removes) the mount points.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class PreparedRunMounts : IDisposable
{
    private readonly List<IDisposable> _resources = [];
    private readonly List<string> _folders = [];
    private readonly List<(string Name, string Value, bool Replace)> _environment = [];
    private readonly List<SandboxBindMount> _binds = [];
    private readonly List<SandboxTmpfsMount> _tmpfs = [];
    private bool _disposed;

    /// <summary>Host paths mounted into the step.</summary>
    public IReadOnlyList<SandboxBindMount> BindMounts => _binds;

    /// <summary>In-memory file systems mounted into the step.</summary>
    public IReadOnlyList<SandboxTmpfsMount> TmpfsMounts => _tmpfs;

    /// <summary>
    /// <paramref name="spec"/> with these mounts added and its environment completed: a secret variable replaces a
    /// variable of the same name; <c>SSH_AUTH_SOCK</c> is added only when the step does not set it (BuildKit).
    /// </summary>
    public SandboxSpec ApplyTo(SandboxSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var environment = spec.Environment.ToList();
        foreach (var (name, value, replace) in _environment)
        {
            var index = environment.FindIndex(e => e.StartsWith(name + "=", StringComparison.Ordinal));
            if (index < 0)
            {
                environment.Add(name + "=" + value);
            }
            else if (replace)
            {
                environment[index] = name + "=" + value;
            }
        }

        return spec with
        {
            Environment = environment,
            BindMounts = [.. spec.BindMounts, .. _binds],
            TmpfsMounts = [.. spec.TmpfsMounts, .. _tmpfs],
        };
    }

    /// <summary>Removes what was made for the step and releases the caches.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = _resources.Count - 1; i >= 0; i--)
        {
            _resources[i].Dispose();
        }

        foreach (var folder in _folders)
        {
            CacheMountStore.DeleteTree(folder);
        }
    }

    internal void AddBind(SandboxBindMount mount) => _binds.Add(mount);

    internal void AddTmpfs(SandboxTmpfsMount mount) => _tmpfs.Add(mount);

    internal void AddEnvironment(string name, string value, bool replace) => _environment.Add((name, value, replace));

    internal T Own<T>(T resource)
        where T : IDisposable
    {
        _resources.Add(resource);
        return resource;
    }

    /// <summary>Makes a new private folder (0700) under <paramref name="parent"/>, deleted on dispose.</summary>
    internal string NewFolder(string parent, string prefix)
    {
        Directory.CreateDirectory(parent);
        var folder = Path.Combine(parent, prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder, (UnixFileMode)0x1C0);
        _folders.Add(folder);
        return folder;
    }
}
