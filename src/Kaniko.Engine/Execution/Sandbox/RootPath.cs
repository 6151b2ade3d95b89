namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Resolves a path inside a rootfs to a host path the way <c>containerd/continuity fs.RootPath</c> does: every
/// symbolic link met is read and followed as if the rootfs were <c>/</c>, and <c>..</c> never climbs above it, so the
/// result always lies inside the rootfs. Components that do not exist are appended as they are.
/// </summary>
internal static class RootPath
{
    private const int MaxLinks = 255;

    /// <summary>The host path of <paramref name="containerPath"/> (absolute or not) inside <paramref name="rootFs"/>.</summary>
    public static string Resolve(string rootFs, string containerPath)
    {
        // "/" becomes "" so that joining gives "/etc", not "//etc".
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFs)).TrimEnd('/');
        var pending = new Stack<string>(Split(containerPath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Join(root, [.. resolved, part]);
            var target = new FileInfo(candidate).LinkTarget;
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException("too many symbolic links in " + containerPath);
            }

            if (target.StartsWith('/'))
            {
                resolved.Clear();
            }

            foreach (var next in Split(target).Reverse())
            {
                pending.Push(next);
            }
        }

        return Join(root, resolved);
    }

    /// <summary>The normalised absolute form of a container path: <c>/a/b</c>, <c>..</c> and <c>.</c> removed.</summary>
    public static string Clean(string containerPath)
    {
        var parts = new List<string>();
        foreach (var part in Split(containerPath))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else
            {
                parts.Add(part);
            }
        }

        return "/" + string.Join('/', parts);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    private static string Join(string root, IReadOnlyList<string> parts) =>
        parts.Count == 0 ? (root.Length == 0 ? "/" : root) : root + "/" + string.Join('/', parts);
}
