using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution;

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

    /// <summary>Deletes a scratch folder, first making its read-only folders writable (archives may hold 0555 folders).</summary>
    public static void Delete(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            foreach (var directory in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            {
                if (LayerApplier.IsDirectory(directory))
                {
                    File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }
        }

        Directory.Delete(path, recursive: true);
    }
}
