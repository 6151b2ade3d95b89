using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Resolves a container path to a host path inside a root directory the way the kernel would if that directory
/// were <c>/</c> (the semantics of <c>openat2(RESOLVE_IN_ROOT)</c> and Go's securejoin): <c>..</c> stops at the
/// root, an absolute symbolic link target starts again from the root, a relative one from the link's directory,
/// and more than <see cref="MaxSymbolicLinks"/> links is a loop. The result never names anything outside the root,
/// whatever the links in the tree say. Elements that do not exist are taken literally.
/// </summary>
internal static class SecurePath
{
    /// <summary>How many symbolic links one resolution may follow (Linux's own limit is 40).</summary>
    public const int MaxSymbolicLinks = 255;

    /// <summary>
    /// The host path of <paramref name="containerPath"/> under <paramref name="root"/>, every symbolic link met on
    /// the way followed inside the root.
    /// </summary>
    /// <param name="root">The host directory that plays <c>/</c>.</param>
    /// <param name="containerPath">A container path; relative paths are read from the root.</param>
    /// <param name="followFinalLink">
    /// Whether a symbolic link in the last element is followed too. Writes that replace an entry (unpacking a layer,
    /// deleting a path) pass false, so they act on the link itself.
    /// </param>
    /// <exception cref="KanikoException"><c>KANIKO4501</c> when the links loop.</exception>
    public static string Resolve(string root, string containerPath, bool followFinalLink = true)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(containerPath);
        var hostRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var resolved = new List<string>();
        // Elements still to walk, last element at the bottom: following a link pushes its target's elements on top.
        var pending = new Stack<string>();
        PushElements(pending, containerPath);
        var links = 0;
        while (pending.TryPop(out var element))
        {
            if (element is "" or ".")
            {
                continue;
            }

            if (element == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            if (pending.Count > 0 || followFinalLink)
            {
                var candidate = Join(hostRoot, resolved) + "/" + element;
                var target = ReadLink(candidate);
                if (target is not null)
                {
                    if (++links > MaxSymbolicLinks)
                    {
                        throw new KanikoException(
                            DiagnosticCodes.RootFsSymlinkLoop,
                            string.Format(CultureInfo.InvariantCulture, Strings.RootFsSymlinkLoop, containerPath));
                    }

                    if (target.StartsWith('/'))
                    {
                        resolved.Clear();
                    }

                    PushElements(pending, target);
                    continue;
                }
            }

            resolved.Add(element);
        }

        return Join(hostRoot, resolved);
    }

    /// <summary>
    /// The host path of the entry <paramref name="containerPath"/> names, its parent resolved through links and its
    /// last element not: the place a layer entry is written or a whiteout deletes. The root itself gives the root.
    /// </summary>
    public static string ResolveEntry(string root, string containerPath) => Resolve(root, containerPath, followFinalLink: false);

    /// <summary>The container path of a host path under <paramref name="root"/> (the inverse of a resolution).</summary>
    public static string ToContainerPath(string root, string hostPath)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(hostPath);
        var hostRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (hostPath == hostRoot)
        {
            return "/";
        }

        if (hostRoot == "/")
        {
            // The root of this system (kaniko's mode): host and container paths are the same.
            return hostPath;
        }

        if (!hostPath.StartsWith(hostRoot + "/", StringComparison.Ordinal))
        {
            throw new ArgumentException("the path is not under the root", nameof(hostPath));
        }

        return hostPath[hostRoot.Length..];
    }

    private static void PushElements(Stack<string> pending, string path)
    {
        var elements = path.Split('/');
        for (var i = elements.Length - 1; i >= 0; i--)
        {
            pending.Push(elements[i]);
        }
    }

    private static string Join(string hostRoot, List<string> resolved) =>
        resolved.Count == 0 ? hostRoot : hostRoot + "/" + string.Join('/', resolved);

    private static string? ReadLink(string hostPath)
    {
        try
        {
            return new FileInfo(hostPath).LinkTarget;
        }
        catch (IOException)
        {
            // Not there, or a parent is not a directory: the element is taken literally.
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
