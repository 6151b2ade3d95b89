using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Filesystem;

/// <summary>How a path changed between two indexes.</summary>
internal enum FileChangeKind
{
    /// <summary>The path is new.</summary>
    Added,

    /// <summary>The path was there and its metadata or content differ (or it became another kind of file).</summary>
    Modified,

    /// <summary>The path is gone: a whiteout.</summary>
    Deleted,

    /// <summary>The directory was removed and made again: an opaque whiteout hides what lower layers held in it.</summary>
    OpaqueDirectory,
}

/// <summary>One changed path of a <see cref="FileSystemDiff"/>.</summary>
/// <param name="Path">The absolute container path.</param>
/// <param name="Kind">How it changed.</param>
/// <param name="Metadata">Its metadata now; null for a deletion.</param>
/// <param name="HardLinkTarget">For a file that shares its inode with a path listed before it, that path.</param>
internal sealed record FileChange(string Path, FileChangeKind Kind, FileEntryMetadata? Metadata, string? HardLinkTarget = null);

/// <summary>
/// What a step changed in a root filesystem: the changes, sorted by path, and the index to compare the next step
/// with. <see cref="ToLayerEntries"/> turns it into a layer.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FileSystemDiff
{
    internal FileSystemDiff(RootFs rootFs, IReadOnlyList<FileChange> changes, FileIndex newIndex)
    {
        RootFs = rootFs;
        Changes = changes;
        NewIndex = newIndex;
    }

    /// <summary>The root filesystem the diff was taken of.</summary>
    public RootFs RootFs { get; }

    /// <summary>The changes, sorted by path (ordinal).</summary>
    public IReadOnlyList<FileChange> Changes { get; }

    /// <summary>The index after the step: the baseline of the next snapshot.</summary>
    public FileIndex NewIndex { get; }

    /// <summary>Whether the step changed nothing.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>
    /// The layer entries for <see cref="LayerWriter"/>: whiteouts, opaque whiteouts, directories, files (opened from
    /// the root only when the writer reaches them), symbolic links and hard links. Device nodes, FIFOs and sockets
    /// cannot be layer entries: they are left out with a <c>KANIKO4513</c> warning.
    /// </summary>
    public IReadOnlyList<LayerEntry> ToLayerEntries()
    {
        var entries = new List<LayerEntry>(Changes.Count);
        foreach (var change in Changes)
        {
            if (ToLayerEntry(change) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private LayerEntry? ToLayerEntry(FileChange change)
    {
        if (change.Kind == FileChangeKind.Deleted)
        {
            return LayerEntry.Whiteout(change.Path);
        }

        if (change.Kind == FileChangeKind.OpaqueDirectory)
        {
            return LayerEntry.OpaqueWhiteout(change.Path);
        }

        var metadata = change.Metadata!;
        LayerEntry entry;
        switch (metadata.Kind)
        {
            case FileEntryKind.Directory:
                entry = LayerEntry.Directory(change.Path, metadata.Mode);
                break;
            case FileEntryKind.RegularFile when change.HardLinkTarget is { } target:
                entry = LayerEntry.HardLink(change.Path, target, metadata.Mode);
                break;
            case FileEntryKind.RegularFile:
                var hostPath = RootFs.HostDirectory + change.Path;
                entry = LayerEntry.File(
                    change.Path,
                    metadata.Size,
                    _ => ValueTask.FromResult<Stream>(new FileStream(
                        hostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan)),
                    metadata.Mode);
                break;
            case FileEntryKind.SymbolicLink:
                entry = LayerEntry.SymbolicLink(change.Path, metadata.LinkTarget ?? string.Empty);
                break;
            default:
                RootFs.Warn(
                    DiagnosticCodes.SnapshotSpecialFileSkipped,
                    string.Format(CultureInfo.InvariantCulture, Strings.SnapshotSpecialFileSkipped, change.Path, metadata.Kind));
                return null;
        }

        return entry with { Uid = metadata.Uid, Gid = metadata.Gid, ModificationTime = metadata.ModificationTime };
    }
}
