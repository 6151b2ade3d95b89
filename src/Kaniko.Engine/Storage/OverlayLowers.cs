using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Storage;

/// <summary>
/// What a stack of layer folders (an overlay's lower folders, in one of the store's forms, <see cref="OverlayForm"/>:
/// whiteouts as character devices 0/0, replaced directories marked opaque) shows at a path, read without a mount: the path in the topmost folder that
/// has it, unless a folder above hides it (a whiteout of the path or of a parent, a parent that is not a directory
/// there, or an opaque parent).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class OverlayLowers
{
    private readonly IReadOnlyList<string> _topFirst;
    private readonly OverlayForm _form;

    /// <summary>The stack of <paramref name="bottomFirst"/> (the image's order: base layer first), in <paramref name="form"/>.</summary>
    public OverlayLowers(IReadOnlyList<string> bottomFirst, OverlayForm form)
    {
        ArgumentNullException.ThrowIfNull(bottomFirst);
        ArgumentNullException.ThrowIfNull(form);
        _form = form;
        _topFirst = [.. bottomFirst.Reverse().Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))];
    }

    /// <summary>The metadata and host path of <paramref name="containerPath"/> (<c>/a/b</c>) as the stack shows it; null when it has none.</summary>
    public (FileEntryMetadata Metadata, string HostPath, string Folder)? Find(string containerPath)
    {
        ArgumentNullException.ThrowIfNull(containerPath);
        foreach (var folder in _topFirst)
        {
            var hostPath = folder + containerPath;
            if (FileStat.TryRead(hostPath) is { } found)
            {
                return IsWhiteout(found) ? null : (found, hostPath, folder);
            }

            if (HidesBelow(folder, containerPath))
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// The container paths of <paramref name="folder"/> (one of the stack's) whose inode is <paramref name="inode"/>:
    /// the other names of a file with several links, which a copy-up of one of them does not carry along.
    /// </summary>
    public static IEnumerable<string> PathsOfInode(string folder, ulong inode)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
        {
            if (file.LinkTarget is null && LibC.TryLstat(file.FullName, out var stat) && stat.Inode == inode)
            {
                yield return file.FullName[folder.Length..];
            }
        }
    }

    /// <summary>Whether <paramref name="metadata"/> is overlayfs's whiteout (a character device 0/0).</summary>
    public static bool IsWhiteout(FileEntryMetadata metadata) =>
        metadata is { Kind: FileEntryKind.CharacterDevice, DeviceMajor: 0, DeviceMinor: 0 };

    /// <summary>
    /// Whether the directory <paramref name="hostPath"/> (of a lower folder or of the upper one) is marked opaque in
    /// this stack's form (it replaced the lower ones). The other form's attribute is an ordinary one the kernel ignores.
    /// </summary>
    public bool IsOpaque(string hostPath) => LibC.TryGetXattr(hostPath, _form.OpaqueAttribute) is [(byte)'y'];

    // A folder that lacks the path still hides the lower ones when a parent of it there is a whiteout, a file, or an
    // opaque directory.
    private bool HidesBelow(string folder, string containerPath)
    {
        for (var slash = containerPath.IndexOf('/', 1); slash > 0; slash = containerPath.IndexOf('/', slash + 1))
        {
            var parent = folder + containerPath[..slash];
            if (FileStat.TryRead(parent) is not { } metadata)
            {
                return false;
            }

            if (metadata.Kind != FileEntryKind.Directory || IsOpaque(parent))
            {
                return true;
            }
        }

        return false;
    }
}
