using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// Unpacks a build context archive (a tar, plain or compressed) into a directory. The archive is read once by ADD's
/// <see cref="ArchiveExtractor"/>, which already keeps every name inside its root (<c>..</c>, absolute names and names
/// through the archive's own symbolic links all land inside); each entry is then written at the place
/// <see cref="SecurePath"/> resolves inside the target, so no entry can be written outside it whatever the tree
/// holds. Modes and symbolic links are kept, hard links point to a file earlier in the archive, owners are not
/// applied (a context's owners never reach the image: <c>COPY</c> gives 0:0 unless <c>--chown</c>), and device nodes
/// and FIFOs are refused.
/// </summary>
internal static class ContextArchiveUnpacker
{
    /// <summary>
    /// Unpacks <paramref name="archivePath"/> into the existing, empty <paramref name="targetDirectory"/>, using
    /// <paramref name="scratchDirectory"/> for the extractor's spooled contents. <paramref name="displayName"/> names
    /// the context (credentials already redacted) in errors.
    /// </summary>
    /// <exception cref="KanikoException"><c>KANIKO2031</c> when the file is not a tar archive, <c>KANIKO2032</c>
    /// when it cannot be unpacked.</exception>
    public static async Task UnpackAsync(string archivePath, string displayName, string targetDirectory, string scratchDirectory, CancellationToken cancellationToken)
    {
        if (!ArchiveDetector.IsArchive(archivePath))
        {
            throw new KanikoException(DiagnosticCodes.ContextNotAnArchive,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextNotAnArchive, displayName));
        }

        IReadOnlyList<LayerEntry> entries;
        try
        {
            entries = await new ArchiveExtractor(scratchDirectory).ExtractAsync(archivePath, "/", cancellationToken).ConfigureAwait(false);
        }
        catch (KanikoException e) when (e.Code != DiagnosticCodes.ContextArchiveInvalid)
        {
            throw Invalid(displayName, e.Detail, e);
        }

        var directories = new List<(string HostPath, LayerEntry Entry)>();
        // Hard links last: their target may sort after them.
        foreach (var entry in entries.Where(e => e.Type != LayerEntryType.HardLink).Concat(entries.Where(e => e.Type == LayerEntryType.HardLink)))
        {
            var hostPath = SecurePath.ResolveEntry(targetDirectory, entry.Path);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(hostPath)!);
                await WriteAsync(entry, hostPath, targetDirectory, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw Invalid(displayName, entry.Path + ": " + e.Message, e);
            }

            if (entry.Type == LayerEntryType.Directory)
            {
                directories.Add((hostPath, entry));
            }
        }

        // Folder modes and times last, deepest first: a read-only folder must be filled before it becomes read-only.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var (hostPath, entry) = directories[i];
            if (!IsDirectory(hostPath))
            {
                continue;
            }

            SetMode(hostPath, entry.Mode);
            Directory.SetLastWriteTimeUtc(hostPath, entry.ModificationTime.UtcDateTime);
        }
    }

    private static async Task WriteAsync(LayerEntry entry, string hostPath, string root, CancellationToken cancellationToken)
    {
        switch (entry.Type)
        {
            case LayerEntryType.Directory:
                if (!IsDirectory(hostPath))
                {
                    Delete(hostPath);
                    Directory.CreateDirectory(hostPath);
                    // Writable until its content is in; the archive's mode is set at the end.
                    SetMode(hostPath, LayerEntry.DefaultDirectoryMode | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }

                return;
            case LayerEntryType.RegularFile:
                Delete(hostPath);
                var target = new FileStream(hostPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous);
                await using (target.ConfigureAwait(false))
                {
                    if (entry.OpenContent is { } open)
                    {
                        var content = await open(cancellationToken).ConfigureAwait(false);
                        await using (content.ConfigureAwait(false))
                        {
                            await content.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                SetMode(hostPath, entry.Mode);
                File.SetLastWriteTimeUtc(hostPath, entry.ModificationTime.UtcDateTime);
                return;
            case LayerEntryType.SymbolicLink:
                Delete(hostPath);
                File.CreateSymbolicLink(hostPath, entry.LinkTarget!);
                return;
            case LayerEntryType.HardLink:
                // The extractor gives the target's path inside the archive; it is resolved inside the root too.
                var linkTarget = SecurePath.ResolveEntry(root, entry.LinkTarget!);
                Delete(hostPath);
                if (OperatingSystem.IsLinux())
                {
                    LibC.Link(linkTarget, hostPath);
                }
                else
                {
                    // Off Linux the copy keeps the content; only the link itself is lost, which no COPY rule needs.
                    File.Copy(linkTarget, hostPath);
                }

                return;
            default:
                throw new IOException("entries of type " + entry.Type + " cannot be part of a build context");
        }
    }

    private static bool IsDirectory(string hostPath)
    {
        if (OperatingSystem.IsLinux())
        {
            return LayerApplier.IsDirectory(hostPath);
        }

        var info = new FileInfo(hostPath);
        return info.Exists is false && Directory.Exists(hostPath) && info.LinkTarget is null;
    }

    /// <summary>Removes what is at the path; a link is removed, never followed.</summary>
    private static void Delete(string hostPath)
    {
        if (OperatingSystem.IsLinux())
        {
            LayerApplier.Delete(hostPath);
            return;
        }

        var info = new FileInfo(hostPath);
        if (info.LinkTarget is not null)
        {
            if (info.Attributes.HasFlag(FileAttributes.Directory))
            {
                Directory.Delete(hostPath);
            }
            else
            {
                File.Delete(hostPath);
            }
        }
        else if (Directory.Exists(hostPath))
        {
            Directory.Delete(hostPath, recursive: true);
        }
        else if (info.Exists)
        {
            File.Delete(hostPath);
        }
    }

    private static void SetMode(string hostPath, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(hostPath, mode);
        }
    }

    private static KanikoException Invalid(string displayName, string reason, Exception inner) => new(
        DiagnosticCodes.ContextArchiveInvalid,
        string.Format(CultureInfo.InvariantCulture, Strings.ContextArchiveInvalid, displayName, reason),
        innerException: inner);
}
