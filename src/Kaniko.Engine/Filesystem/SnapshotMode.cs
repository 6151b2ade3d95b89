namespace Kaniko.Engine.Filesystem;

/// <summary>
/// How a snapshot decides that a path present before and after a step changed (kaniko's <c>--snapshot-mode</c>).
/// Added and deleted paths, and directories removed and made again, count in every mode.
/// </summary>
internal enum SnapshotMode
{
    /// <summary>
    /// Metadata (kind, mode, owner, size, modification time, link target) decides; a regular file whose change
    /// time or inode alone moved is hashed and compared with its earlier content. The default.
    /// </summary>
    Redo,

    /// <summary>
    /// Content decides: kind, mode, owner and link target are compared, and a regular file whose size, times or
    /// inode moved is in the layer only when its content differs (or its earlier content is unknown). Directories
    /// count only for a change of mode or owner. Slower (more hashing), smallest layers.
    /// </summary>
    Full,

    /// <summary>
    /// Only the modification time (and the kind) decides: a <c>chmod</c> or <c>chown</c> that leaves the time alone is
    /// not seen. Fastest.
    /// </summary>
    Time,
}
