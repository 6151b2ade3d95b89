using System.Globalization;
using Kaniko.Engine.Context;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// Which files of a copy source are hard links to one another, so that a copy keeps them linked as BuildKit's
/// copier does (it remembers the first destination of each source inode with more than one link and links the later
/// ones to it). A directory context answers from the inode of each file; an <see cref="ImageSnapshot"/> from the
/// layers' hard link entries; other contexts cannot tell, and their files are copied one by one.
/// </summary>
internal static class ContextHardLinks
{
    /// <summary>The key function for <paramref name="context"/>, or null when it cannot tell.</summary>
    public static Func<string, string?>? For(IBuildContext context) => context switch
    {
        ImageSnapshot snapshot => snapshot.HardLinkKey,
        DirectoryBuildContext directory when OperatingSystem.IsLinux() => OfDirectory(directory),
        SpecialFileGuard guarded when OperatingSystem.IsLinux() => OfDirectory(guarded.Inner),
        _ => null,
    };

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static Func<string, string?> OfDirectory(DirectoryBuildContext directory) =>
        path => OfHostFile(Path.Join(directory.RootDirectory, path));

    /// <summary>
    /// The key of a host file that has other hard links (its device and inode), or null for a file with one link,
    /// another kind of entry, or a path that is gone.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static string? OfHostFile(string hostPath) =>
        FileStat.TryRead(hostPath) is { Kind: FileEntryKind.RegularFile, LinkCount: > 1 } stat
            ? stat.Device.ToString(CultureInfo.InvariantCulture) + ":" + stat.Inode.ToString(CultureInfo.InvariantCulture)
            : null;
}
