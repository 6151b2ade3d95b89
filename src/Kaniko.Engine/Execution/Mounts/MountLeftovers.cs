using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// The last guard before a step's snapshot: nothing may still be mounted in the root filesystem. Chroot mode mounts
/// a step's binds and tmpfs in this process's own mount namespace and detaches them once the step's namespace holds
/// its copies, or when the step ends where it cannot have one; should an unmount fail, the snapshot would read the
/// mounted content (a secret, a cache) into the layer. Whatever is left is detached here and the step fails instead. (Bubblewrap's mounts live in its own namespace and end with it.)
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class MountLeftovers
{
    /// <summary>
    /// Detaches every mount below <paramref name="rootFs"/>; returns the container path of one that was left, or
    /// <c>null</c> when there was none.
    /// </summary>
    /// <param name="rootFs">The step's root filesystem (never <c>/</c>: steps without isolation cannot mount).</param>
    public static string? Detach(string rootFs)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFs));
        if (root == "/")
        {
            return null;
        }

        var left = RootFsCleanup.MountPointsBelow(root).Where(m => m != root).OrderByDescending(m => m.Length).ToList();
        foreach (var mountPoint in left)
        {
            _ = LibC.Unmount(mountPoint);
        }

        return left.Count == 0 ? null : left[^1][root.Length..];
    }

    /// <summary>The error of a step that left <paramref name="containerPath"/> mounted.</summary>
    public static KanikoException Error(string stepName, string containerPath, SourceRange range) =>
        new(DiagnosticCodes.MountLeftBehind, string.Format(CultureInfo.InvariantCulture, Strings.MountLeftBehind, stepName, containerPath), range);
}
