namespace Kaniko.Engine.Context;

/// <summary>
/// The build context: the read-only tree of files a build may copy from, with its ignore rules.
/// Paths are <c>/</c>-separated and relative to the context root.
/// </summary>
internal interface IBuildContext : IDisposable
{
    /// <summary>Where the context comes from, for messages, for example <c>dir:///home/me/app</c>.</summary>
    string Description { get; }

    /// <summary>The context's ignore rules (<see cref="DockerIgnoreMatcher.Empty"/> when there is no ignore file).</summary>
    DockerIgnoreMatcher Ignore { get; }

    /// <summary>Whether a regular file exists at the path (symbolic links inside the context are followed).
    /// The ignore rules are not applied.</summary>
    /// <exception cref="Diagnostics.KanikoException">The path leaves the context.</exception>
    bool FileExists(string relativePath);

    /// <summary>Opens a file for reading, without applying the ignore rules (used for the Dockerfile).</summary>
    /// <exception cref="Diagnostics.KanikoException">The path leaves the context or does not exist.</exception>
    Stream OpenRead(string relativePath);

    /// <summary>
    /// Every entry of the context that the ignore rules keep, parents before children, siblings in ordinal order,
    /// as BuildKit's context walker sends them. A directory that is itself excluded still appears when something
    /// below it is re-included by an exception. Symbolic links are listed, not followed.
    /// </summary>
    IEnumerable<ContextEntry> EnumerateEntries();
}

/// <summary>One entry of a build context.</summary>
/// <param name="Path">The <c>/</c>-separated path relative to the context root.</param>
/// <param name="Kind">What the entry is.</param>
/// <param name="LinkTarget">The link's target as stored, for a symbolic link; otherwise <c>null</c>.</param>
internal sealed record ContextEntry(string Path, ContextEntryKind Kind, string? LinkTarget = null)
{
    /// <summary>The permission bits (with setuid, setgid and sticky) as the context stores them; for a symbolic
    /// link, the link's own bits.</summary>
    public UnixFileMode Mode { get; init; }

    /// <summary>The modification time as the context stores it (the link's own time for a symbolic link).</summary>
    public DateTimeOffset ModificationTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>The length in bytes of a regular file's content; 0 for other kinds.</summary>
    public long Size { get; init; }
}

/// <summary>The kind of a build context entry.</summary>
internal enum ContextEntryKind
{
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (not followed).</summary>
    SymbolicLink,
}
