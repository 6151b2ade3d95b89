using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Outputs;

/// <summary>File-system helpers shared by the destinations: atomic writes and uniform errors.</summary>
internal static class OutputFiles
{
    public const int BufferSize = 128 * 1024;

    /// <summary>A name beside <paramref name="path"/> for its content while it is being written.</summary>
    public static string TemporaryPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".partial");

    /// <summary>Writes <paramref name="content"/> to a temporary file and renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAtomicallyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await WriteAtomicallyAsync(path, async stream => await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Lets <paramref name="write"/> fill a temporary file, then renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAtomicallyAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await write(file).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> must be written in place rather than replaced by a rename: it is a mount point
    /// of this container (a file a runtime binds, such as Kubernetes' <c>/dev/termination-log</c>, cannot be renamed
    /// over: <c>EBUSY</c>) or not a regular file (a device or pipe such as <c>/dev/stdout</c>).
    /// </summary>
    public static bool MustWriteInPlace(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        var full = Path.GetFullPath(path);
        if (!Filesystem.LibC.TryLstat(full, out var stat))
        {
            return false;
        }

        var target = full;
        if (Filesystem.FileStat.KindOf(stat.Mode) == Filesystem.FileEntryKind.SymbolicLink)
        {
            target = new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
            if (!Filesystem.LibC.TryLstat(target, out stat))
            {
                return false;
            }
        }

        return Filesystem.FileStat.KindOf(stat.Mode) != Filesystem.FileEntryKind.RegularFile
            || Filesystem.MountPoints.Below(target).Contains(target, StringComparer.Ordinal);
    }

    /// <summary>Truncates the existing <paramref name="path"/> (when it can) and writes <paramref name="content"/> into it.</summary>
    public static async Task WriteInPlaceAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1, useAsync: false);
        await using (file.ConfigureAwait(false))
        {
            // Devices report no length and cannot be truncated; a mounted regular file loses its old content.
            if (file.CanSeek && file.Length > 0)
            {
                file.SetLength(0);
            }

            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a content-addressed blob unless a file of the right size is already there; the content arrives
    /// through <paramref name="open"/>, whose stream is expected to verify itself.
    /// </summary>
    public static async Task WriteBlobAsync(string path, long size, Func<Task<Stream>> open, CancellationToken cancellationToken)
    {
        if (File.Exists(path) && new FileInfo(path).Length == size)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = TemporaryPathFor(path);
        try
        {
            var source = await open().ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    await source.CopyToAsync(file, BufferSize, cancellationToken).ConfigureAwait(false);
                }
            }

            File.Delete(path);
            LayerWriter.PublishBlob(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Runs <paramref name="action"/>, turning file-system failures into <c>KANIKO5001</c> naming <paramref name="what"/>.</summary>
    public static async Task GuardAsync(string what, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        // A full disk is not blamed on the output: the image's blobs are read (and the cache filled) while it is
        // written, so the full disk may be another; EnvironmentFaults reports it with the system's path.
        catch (Exception error) when (error is UnauthorizedAccessException || (error is IOException io && !EnvironmentFaults.IsDiskFull(io)))
        {
            throw new KanikoException(
                DiagnosticCodes.OutputWriteFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.OutputWriteFailed, what, error.Message),
                innerException: error);
        }
    }
}
