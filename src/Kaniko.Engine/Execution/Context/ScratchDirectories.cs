using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution;

/// <summary>Private folders for materialised contexts, under the system's temporary folder (<c>TMPDIR</c>) unless told otherwise.</summary>
internal static class ScratchDirectories
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

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
            Directory.CreateDirectory(path, OwnerOnly);
        }

        return path;
    }

    /// <summary>
    /// Deletes a scratch folder, first making its read-only folders writable (archives may hold 0555 folders). The
    /// walk never follows a symbolic link: a link in an unpacked archive may point anywhere on this system.
    /// </summary>
    public static void Delete(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            MakeWritable(path);
        }

        Directory.Delete(path, recursive: true);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakeWritable(string directory)
    {
        // lstat of each child by its own name: a link is seen as a link, never as the folder it points to.
        if (!LayerApplier.IsDirectory(directory))
        {
            return;
        }

        File.SetUnixFileMode(directory, OwnerOnly);
        foreach (var child in Directory.EnumerateDirectories(directory, "*", new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0 }))
        {
            MakeWritable(child);
        }
    }
}
