namespace Kaniko.Engine.Storage;

/// <summary>
/// Removes a folder of the store (an evicted layer, a half-written one, a mount's links) without following links.
/// Store folders are never mount points (overlays are mounted on a stage's own folder), so unlike a stage's root
/// (<c>Filesystem.RootFsCleanup</c>, which this namespace must not reference: the execution layer uses the store) nothing
/// is unmounted first. A layer may hold read-only directories: the owner gets write permission on them first when
/// this process is not root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class StoreFolders
{
    private const UnixFileMode OwnerAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Removes <paramref name="directory"/> and everything below it; a missing folder is fine.</summary>
    public static void Remove(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (full == "/" || !Directory.Exists(full) || new DirectoryInfo(full).LinkTarget is not null)
        {
            return;
        }

        if (!Environment.IsPrivilegedProcess)
        {
            MakeWritable(new DirectoryInfo(full));
        }

        // .NET's recursive delete unlinks symbolic links; it never descends through them.
        Directory.Delete(full, recursive: true);
    }

    private static void MakeWritable(DirectoryInfo directory)
    {
        if (directory.LinkTarget is not null)
        {
            return;
        }

        if ((directory.UnixFileMode & OwnerAll) != OwnerAll)
        {
            directory.UnixFileMode |= OwnerAll;
        }

        foreach (var child in directory.EnumerateDirectories())
        {
            MakeWritable(child);
        }
    }
}
