using System.Text;

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
    internal static IEnumerable<string> MountPointsBelow(string directory)
    {
        const string MountInfo = "/proc/self/mountinfo";
        if (!File.Exists(MountInfo))
        {
            return [];
        }

        return File.ReadLines(MountInfo)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(mountPoint => mountPoint == directory || mountPoint.StartsWith(directory + "/", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }

    // mountinfo writes space, tab, newline and backslash as three octal digits after a backslash.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field.Substring(i, 1)));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text.AsSpan(start, 3).IndexOfAnyExceptInRange('0', '7') < 0;

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
