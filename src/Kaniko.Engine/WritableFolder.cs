using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine;

/// <summary>
/// Checks, before a build starts, that a folder it must write (its temporary files, its cache) can be written: in a
/// container with a read-only root filesystem, or run as a user the image's folders do not belong to, the build
/// would otherwise fail midway with the system's bare error. The check makes the folder and a file in it.
/// </summary>
internal static class WritableFolder
{
    /// <summary>Throws <c>KANIKO4471</c> naming <paramref name="what"/> and <paramref name="setting"/> when <paramref name="path"/> cannot be written.</summary>
    public static void Require(string path, string what, string setting)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, ".kaniko-write-check-" + Guid.NewGuid().ToString("N"));
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new KanikoException(DiagnosticCodes.BuildFolderNotWritable, string.Format(
                CultureInfo.InvariantCulture, Strings.BuildFolderNotWritable, what, path, error.Message, setting));
        }
    }
}
