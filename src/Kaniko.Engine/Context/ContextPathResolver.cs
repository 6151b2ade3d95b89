using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context;

/// <summary>
/// Resolves context-relative paths to host paths without ever leaving the root: <c>..</c> that climbs above the
/// root is an error, and so is a symbolic link whose target lies outside it. Links inside the root are followed
/// one component at a time, so a chain of links is checked at every step.
/// </summary>
internal sealed class ContextPathResolver
{
    // Linux gives up after 40 links (ELOOP); the same bound keeps a loop from spinning.
    private const int MaxLinks = 40;

    private readonly string _root;
    private readonly string? _declaredRoot;

    public ContextPathResolver(string root)
    {
        _declaredRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _root = CanonicalDirectory(_declaredRoot);
        if (string.Equals(_root, _declaredRoot, StringComparison.Ordinal))
        {
            _declaredRoot = null;
        }
    }

    /// <summary>The canonical root directory (links in its own path resolved).</summary>
    public string Root => _root;

    /// <summary>Resolves a path; with <paramref name="followFinalLink"/> a link in the last component is followed too.</summary>
    public string Resolve(string relativePath, bool followFinalLink = true)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var cleaned = GoPath.Clean(relativePath.Replace('\\', '/').TrimStart('/'));
        if (cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            throw new KanikoException(
                DiagnosticCodes.ContextPathEscapes,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextPathEscapes, relativePath));
        }

        var pending = new LinkedList<string>(Split(cleaned));
        var resolved = new List<string>();
        var links = 0;
        string? lastLink = null;
        while (pending.First is { } node)
        {
            var part = node.Value;
            pending.RemoveFirst();
            if (part == "..")
            {
                if (resolved.Count == 0)
                {
                    if (lastLink is not null)
                    {
                        throw Escape(relativePath, lastLink);
                    }

                    throw new KanikoException(
                        DiagnosticCodes.ContextPathEscapes,
                        string.Format(CultureInfo.InvariantCulture, Strings.ContextPathEscapes, relativePath));
                }

                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            var candidate = Path.Combine(_root, Path.Combine([.. resolved, part]));
            var isLast = pending.Count == 0;
            var target = (isLast && !followFinalLink) ? null : LinkTargetOf(candidate);
            if (target is null)
            {
                resolved.Add(part);
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new KanikoException(
                    DiagnosticCodes.ContextSymlinkLoop,
                    string.Format(CultureInfo.InvariantCulture, Strings.ContextSymlinkLoop, relativePath));
            }

            lastLink = string.Join('/', [.. resolved, part]);
            if (target.StartsWith('/'))
            {
                var inside = RelativeToRoot(target) ?? throw Escape(relativePath, lastLink);
                resolved.Clear();
                Prepend(pending, inside);
            }
            else
            {
                // A relative target is read from the link's own directory, which is what resolved holds now.
                Prepend(pending, target);
            }
        }

        return resolved.Count == 0 ? _root : Path.Combine(_root, Path.Combine([.. resolved]));

        KanikoException Escape(string path, string link) => new(
            DiagnosticCodes.ContextSymlinkEscapes,
            string.Format(CultureInfo.InvariantCulture, Strings.ContextSymlinkEscapes, path, link));
    }

    private static string? LinkTargetOf(string path)
    {
        var info = new FileInfo(path);
        return info.Exists || Directory.Exists(path) ? info.LinkTarget : null;
    }

    // An absolute link target is fine while it stays under the root (as the root is written or canonically).
    private string? RelativeToRoot(string absoluteTarget)
    {
        var target = GoPath.Clean(absoluteTarget);
        foreach (var root in new[] { _root, _declaredRoot })
        {
            if (root is null)
            {
                continue;
            }

            var unixRoot = root.Replace('\\', '/');
            if (target == unixRoot)
            {
                return ".";
            }

            if (target.StartsWith(unixRoot.TrimEnd('/') + "/", StringComparison.Ordinal))
            {
                return target[(unixRoot.TrimEnd('/').Length + 1)..];
            }
        }

        return null;
    }

    private static void Prepend(LinkedList<string> pending, string path)
    {
        foreach (var part in Split(path).Reverse())
        {
            pending.AddFirst(part);
        }
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    // The root's own path may run through links (a temp folder often does); resolve them so that absolute link
    // targets can be compared with it.
    private static string CanonicalDirectory(string path)
    {
        var root = Path.GetPathRoot(path) ?? "/";
        var current = root;
        var parts = new Queue<string>(path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var links = 0;
        while (parts.Count > 0)
        {
            var next = Path.Combine(current, parts.Dequeue());
            var target = LinkTargetOf(next);
            if (target is null || ++links > MaxLinks)
            {
                current = next;
                continue;
            }

            var resolved = Path.GetFullPath(target, current);
            var rest = parts.ToArray();
            parts = new Queue<string>(rest);
            current = Path.GetPathRoot(resolved) ?? root;
            var prefix = resolved[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            parts = new Queue<string>(prefix.Concat(rest));
        }

        return Path.TrimEndingDirectorySeparator(current);
    }
}
