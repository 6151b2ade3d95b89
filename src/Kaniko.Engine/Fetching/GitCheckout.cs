using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Fetching;

/// <summary>A git source checked out on the host: the folder whose content ADD copies, and the commit it is.</summary>
/// <param name="Source">The source as parsed.</param>
/// <param name="Directory">The folder to copy (the checkout, or its subdirectory); the caller deletes the work folder.</param>
/// <param name="Commit">The commit id checked out.</param>
/// <param name="CommitTime">The commit's committer time.</param>
/// <param name="KeepsGitDirectory">Whether the <c>.git</c> folder is part of the content.</param>
internal sealed record GitCheckout(GitSourceReference Source, string Directory, string Commit, DateTimeOffset CommitTime, bool KeepsGitDirectory)
{
    /// <summary>
    /// The entries of the checkout's content under the image path <paramref name="destination"/> (the folder itself is
    /// not an entry: its content goes into the destination). Owner 0:0, folders 0755, files 0644 or 0755 by git's
    /// executable bit, symbolic links as git wrote them. Times are the checkout's (BuildKit's default) or, when
    /// <paramref name="useCommitTime"/> is set (BuildKit's <c>mtime=commit</c>, used with <c>SOURCE_DATE_EPOCH</c>),
    /// the commit time.
    /// </summary>
    public IReadOnlyList<LayerEntry> ToLayerEntries(string destination, bool useCommitTime = false)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var prefix = LayerEntry.NormalizePath(destination, allowRoot: true);
        var entries = new List<LayerEntry>();
        Collect(new DirectoryInfo(Directory), prefix, useCommitTime, entries, top: true);
        return entries;
    }

    private void Collect(DirectoryInfo folder, string imagePath, bool useCommitTime, List<LayerEntry> entries, bool top)
    {
        foreach (var item in folder.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (top && !KeepsGitDirectory && item.Name == ".git")
            {
                continue;
            }

            var path = imagePath.Length == 0 ? item.Name : imagePath + "/" + item.Name;
            var time = useCommitTime ? CommitTime : new DateTimeOffset(item.LastWriteTimeUtc, TimeSpan.Zero);
            if (item.LinkTarget is { } target)
            {
                entries.Add(LayerEntry.SymbolicLink(path, target) with { ModificationTime = time });
            }
            else if (item is DirectoryInfo directory)
            {
                entries.Add(LayerEntry.Directory(path) with { ModificationTime = time });
                Collect(directory, path, useCommitTime, entries, top: false);
            }
            else
            {
                var executable = !OperatingSystem.IsWindows() && (item.UnixFileMode & UnixFileMode.UserExecute) != 0;
                var mode = executable ? LayerEntry.DefaultDirectoryMode : LayerEntry.DefaultFileMode;
                entries.Add(LayerEntry.HostFile(path, item.FullName, mode) with { ModificationTime = time });
            }
        }
    }
}
