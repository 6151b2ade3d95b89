using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context;

/// <summary>
/// A build context that is a directory on this machine. Every path is resolved inside the directory: a path that
/// climbs out through <c>..</c> or a symbolic link is an error, never a read outside the context.
/// </summary>
internal sealed class DirectoryBuildContext : IBuildContext
{
    private readonly ContextPathResolver _resolver;

    /// <summary>Opens a directory as a build context with the given ignore rules.</summary>
    /// <param name="rootDirectory">The context directory; it must exist.</param>
    /// <param name="ignore">The ignore rules; <see cref="DockerIgnoreMatcher.Empty"/> for none.</param>
    public DirectoryBuildContext(string rootDirectory, DockerIgnoreMatcher ignore)
    {
        ArgumentNullException.ThrowIfNull(rootDirectory);
        ArgumentNullException.ThrowIfNull(ignore);
        RootDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
        if (!Directory.Exists(RootDirectory))
        {
            throw new KanikoException(
                DiagnosticCodes.ContextDirectoryNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextDirectoryNotFound, rootDirectory));
        }

        _resolver = new ContextPathResolver(RootDirectory);
        Ignore = ignore;
    }

    /// <summary>The context directory as a full path.</summary>
    public string RootDirectory { get; }

    /// <inheritdoc />
    public string Description => "dir://" + RootDirectory.Replace('\\', '/');

    /// <inheritdoc />
    public DockerIgnoreMatcher Ignore { get; }

    /// <summary>
    /// The host path of a context path, with every symbolic link on the way resolved inside the context
    /// (the last component's link too, unless <paramref name="followFinalLink"/> is false).
    /// </summary>
    /// <exception cref="KanikoException">The path leaves the context.</exception>
    public string ResolveHostPath(string relativePath, bool followFinalLink = true) =>
        _resolver.Resolve(relativePath, followFinalLink);

    /// <inheritdoc />
    public bool FileExists(string relativePath) => File.Exists(ResolveHostPath(relativePath));

    /// <inheritdoc />
    public Stream OpenRead(string relativePath)
    {
        var hostPath = ResolveHostPath(relativePath);
        if (!File.Exists(hostPath))
        {
            throw new KanikoException(
                DiagnosticCodes.ContextFileNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextFileNotFound, relativePath));
        }

        try
        {
            return new FileStream(hostPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (UnauthorizedAccessException e)
        {
            // A file the user running the build may not read (a non-root build of a context with root-only files).
            throw new KanikoException(
                DiagnosticCodes.ContextUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextUnreadable, relativePath, e.Message),
                innerException: e);
        }
    }

    /// <inheritdoc />
    public IEnumerable<ContextEntry> EnumerateEntries()
    {
        var entries = new List<ContextEntry>();
        Walk(_resolver.Root, string.Empty, null, [], entries);
        return entries;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // A directory context holds no open handles: every read opens and the caller disposes its own stream.
    }

    // Mirrors BuildKit's filtered walk: each entry is decided from its parent's pattern results; an excluded
    // directory is entered only when an exception could re-include something below it, and is then sent only
    // once something below it is.
    private void Walk(string hostDirectory, string relativeDirectory, DockerIgnoreMatcher.MatchState? parentState,
        List<ContextEntry> pendingParents, List<ContextEntry> output)
    {
        FileSystemInfo[] children;
        try
        {
            children = new DirectoryInfo(hostDirectory).GetFileSystemInfos();
        }
        catch (UnauthorizedAccessException) when (parentState?.IsExcluded == true)
        {
            // BuildKit tolerates an unreadable folder it only entered to look for exceptions.
            return;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new KanikoException(
                DiagnosticCodes.ContextUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextUnreadable, relativeDirectory.Length == 0 ? "." : relativeDirectory, e.Message),
                innerException: e);
        }

        Array.Sort(children, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var child in children)
        {
            var path = relativeDirectory.Length == 0 ? child.Name : relativeDirectory + "/" + child.Name;
            var linkTarget = child.LinkTarget;
            var kind = linkTarget is not null ? ContextEntryKind.SymbolicLink
                : child is DirectoryInfo ? ContextEntryKind.Directory
                : ContextEntryKind.File;
            var state = Ignore.Patterns.Count == 0 ? null : Ignore.Evaluate(path, parentState);
            var entry = new ContextEntry(path, kind, linkTarget)
            {
                Mode = kind == ContextEntryKind.SymbolicLink ? SymbolicLinkMode
                    : OperatingSystem.IsWindows() ? WindowsMode(child.Attributes)
                    : child.UnixFileMode,
                ModificationTime = new DateTimeOffset(child.LastWriteTimeUtc, TimeSpan.Zero),
                Size = kind == ContextEntryKind.File && child is FileInfo file ? file.Length : 0,
            };
            var excluded = state?.IsExcluded ?? false;
            if (kind != ContextEntryKind.Directory)
            {
                if (!excluded)
                {
                    Emit(entry, pendingParents, output);
                }

                continue;
            }

            if (!excluded)
            {
                Emit(entry, pendingParents, output);
                Walk(child.FullName, path, state, pendingParents, output);
            }
            else if (Ignore.MayReincludeBelow(path))
            {
                pendingParents.Add(entry);
                Walk(child.FullName, path, state, pendingParents, output);
                pendingParents.Remove(entry);
            }
        }
    }

    /// <summary>A symbolic link's mode as Linux reports it (.NET would report its target's bits).</summary>
    internal const UnixFileMode SymbolicLinkMode = (UnixFileMode)0x1FF;

    /// <summary>
    /// The mode a file or directory of a Windows context gets, by the rule of docker and BuildKit on Windows: Go
    /// reports 0666 for a file (0444 when it has the read-only attribute) and 0777 for a directory (0555), and they
    /// add the execute bits and keep at most 0755, so that everything stays usable in a Linux image: 0755, or 0555
    /// for what is read-only.
    /// </summary>
    internal static UnixFileMode WindowsMode(FileAttributes attributes) => (attributes & FileAttributes.ReadOnly) != 0
        ? (UnixFileMode)0x16D
        : (UnixFileMode)0x1ED;

    private static void Emit(ContextEntry entry, List<ContextEntry> pendingParents, List<ContextEntry> output)
    {
        output.AddRange(pendingParents);
        pendingParents.Clear();
        output.Add(entry);
    }
}
