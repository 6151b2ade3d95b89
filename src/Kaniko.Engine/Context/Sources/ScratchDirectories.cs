using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Context.Sources;

/// <summary>Private folders for materialised contexts, under the system's temporary folder (<c>TMPDIR</c>) unless told otherwise.</summary>
internal static class ScratchDirectories
{
    /// <summary>Creates a new folder only this user can enter.</summary>
    public static string Create(string? root)
    {
        var path = Path.Combine(root ?? Path.GetTempPath(), "kaniko-dotnet-context-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>
    /// Deletes a scratch folder as a stage's root filesystem is deleted (<see cref="RootFsCleanup"/>): read-only
    /// folders made writable first, and never a symbolic link followed (an unpacked archive's links may point
    /// anywhere on this system).
    /// </summary>
    public static void Delete(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            RootFsCleanup.Remove(path);
        }
        else
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
