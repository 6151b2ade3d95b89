using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>What a <see cref="CopyItem"/> puts at its destination.</summary>
internal enum CopyItemKind
{
    /// <summary>A regular file from the build context.</summary>
    File,
    /// <summary>A directory (from the context, or the destination directory a directory source is copied into).</summary>
    Directory,
    /// <summary>A symbolic link from inside a copied directory, copied as a link.</summary>
    SymbolicLink,
    /// <summary>A file whose content is given inline (a heredoc source).</summary>
    Inline,
}

/// <summary>
/// One entry a <c>COPY</c> or <c>ADD</c> writes, in the order BuildKit writes them (a later item at the same
/// destination replaces an earlier one).
/// </summary>
internal sealed record CopyItem
{
    /// <summary>What the item is.</summary>
    public required CopyItemKind Kind { get; init; }

    /// <summary>
    /// The context entry the item comes from (<c>/</c>-separated, relative to the context root, <c>.</c> for the root,
    /// with symbolic links named as sources already followed); the heredoc's name for <see cref="CopyItemKind.Inline"/>.
    /// </summary>
    public required string Source { get; init; }

    /// <summary>Where the item goes in the image.</summary>
    public required ContainerPath Destination { get; init; }

    /// <summary>The permission bits the item gets (for a link, the link's own bits, which <c>--chmod</c> leaves alone).</summary>
    public required UnixFileMode Mode { get; init; }

    /// <summary>The owner the item gets.</summary>
    public required CopyOwner Owner { get; init; }

    /// <summary>
    /// The modification time the item gets: the source's, or the build's fixed time (<c>SOURCE_DATE_EPOCH</c>);
    /// <c>null</c> when it has none of its own (a heredoc, the context root), so the executor uses the time of the build.
    /// </summary>
    public DateTimeOffset? ModificationTime { get; init; }

    /// <summary>The target of a <see cref="CopyItemKind.SymbolicLink"/>, as stored.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>The content of an <see cref="CopyItemKind.Inline"/> item.</summary>
    public string? Content { get; init; }

    /// <summary>The size in bytes of a <see cref="CopyItemKind.File"/>.</summary>
    public long Size { get; init; }

    /// <summary>
    /// For a directory: when it already exists in the image, BuildKit keeps its mode and owner and only sets its
    /// modification time; <see cref="Mode"/> and <see cref="Owner"/> apply when the copy creates it.
    /// </summary>
    public bool KeepsExistingMetadata => Kind == CopyItemKind.Directory;

    /// <summary>
    /// For <c>ADD</c>: the file is a source named by the instruction, so when its content is a tar archive (plain or
    /// compressed) it is unpacked into <see cref="CopyPlan.ArchiveDirectory"/> instead of copied.
    /// </summary>
    public bool UnpackIfArchive { get; init; }

    /// <summary>
    /// For a <see cref="CopyItemKind.File"/>: the number shared by the files of this copy that are hard links to one
    /// source inode, copied by one source of the instruction (BuildKit's copier links them within one source, never
    /// across two); null for a file copied alone. The layer writes the first of a group as a file and the others as
    /// hard links to it.
    /// </summary>
    public int? LinkGroup { get; init; }
}
