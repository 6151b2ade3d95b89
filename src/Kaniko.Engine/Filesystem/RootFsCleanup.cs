namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Removes a stage's root filesystem folder: first whatever is still mounted inside it (a step killed before its
/// sandbox could unmount), deepest first and detached, so the removal never reaches into a mounted file system;
/// then, when this process is not root, gives the owner write permission on every directory (a layer may hold
/// read-only ones); then deletes the tree without following links.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RootFsCleanup
{
    /// <summary>Removes <paramref name="directory"/> and everything below it; a missing folder is fine.</summary>
    public static void Remove(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (full == "/" || !Directory.Exists(full))
        {
            return;
        }

        foreach (var mountPoint in MountPointsBelow(full).OrderByDescending(m => m.Length))
        {
            _ = LibC.Unmount(mountPoint);
        }

        if (LibC.EffectiveUserId != 0)
        {
            MakeDirectoriesWritable(new DirectoryInfo(full));
        }

        Directory.Delete(full, recursive: true);
    }

    /// <summary>The mount points of this process's mount namespace at or below <paramref name="directory"/>.</summary>
    internal static IEnumerable<string> MountPointsBelow(string directory) => Filesystem.MountPoints.Below(directory);

    private static void MakeDirectoriesWritable(DirectoryInfo directory)
    {
        const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (directory.LinkTarget is not null)
        {
            return;
        }

        try
        {
            if ((directory.UnixFileMode & OwnerAll) != OwnerAll)
            {
                directory.UnixFileMode |= OwnerAll;
            }

            foreach (var child in directory.EnumerateDirectories())
            {
                MakeDirectoriesWritable(child);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to change: the delete then reports what it cannot remove.
        }
    }
}
