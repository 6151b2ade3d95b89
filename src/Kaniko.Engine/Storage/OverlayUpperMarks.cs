using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Storage;

/// <summary>What one name in an upper folder is: a path of the root, a deleted path, or a mark of the overlay's own.</summary>
internal enum UpperNameKind
{
    /// <summary>A file, directory or link the step left.</summary>
    Path,

    /// <summary>A deletion of the path the name stands for (<see cref="OverlayUpperMarks.WhiteoutOf"/>).</summary>
    Whiteout,

    /// <summary>The overlay's own bookkeeping, in no layer: <c>fuse-overlayfs</c>'s <c>.wh..wh..opq</c> and the like.</summary>
    Mark,
}

/// <summary>
/// How an overlay's upper folder says what a step deleted and which directories it replaced, which differs between
/// the kernel and <c>fuse-overlayfs</c>:
/// <list type="bullet">
/// <item>the kernel: a deletion is a character device 0/0 of the deleted name; a replaced directory carries the
/// form's opaque attribute (<see cref="OverlayForm"/>);</item>
/// <item><c>fuse-overlayfs</c> (as its 1.x versions write it): a deletion is a character device 0/0 where it may make
/// one, else an empty file <c>.wh.NAME</c>; a replaced directory (and each directory of a lower one it copied up
/// whole for a rename) carries <c>trusted.overlay.opaque</c> as root of the machine or
/// <c>user.fuseoverlayfs.opaque</c> in a user namespace (the form's attribute either way) and always an empty file
/// <c>.wh..wh..opq</c>; other names under <c>.wh.</c> are its own (it leaves a device named <c>.wh..opq</c> in
/// such directories). No layer path begins with <c>.wh.</c> (OCI keeps that prefix for whiteouts), so every such
/// name is read as a mark.</item>
/// </list>
/// </summary>
/// <param name="Form">The form of the mount's folders: its opaque attribute is the one the upper folder carries.</param>
/// <param name="WhiteoutFiles">Whether <c>.wh.</c> names are <c>fuse-overlayfs</c>'s marks.</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record OverlayUpperMarks(OverlayForm Form, bool WhiteoutFiles)
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueFile = ".wh..wh..opq";

    /// <summary>The marks of a mount on <paramref name="rung"/> whose folders are in <paramref name="form"/>.</summary>
    public static OverlayUpperMarks For(OverlayRung rung, OverlayForm form) => new(form, rung == OverlayRung.FuseOverlayfs);

    /// <summary>What the name <paramref name="name"/> of the upper folder, with <paramref name="metadata"/>, is.</summary>
    public UpperNameKind Classify(string name, FileEntryMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(metadata);
        if (WhiteoutFiles && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            return name != OpaqueFile && metadata.Kind == FileEntryKind.RegularFile ? UpperNameKind.Whiteout : UpperNameKind.Mark;
        }

        return OverlayLowers.IsWhiteout(metadata) ? UpperNameKind.Whiteout : UpperNameKind.Path;
    }

    /// <summary>The deleted name a <see cref="UpperNameKind.Whiteout"/> named <paramref name="name"/> stands for.</summary>
    public string WhiteoutOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WhiteoutFiles && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal) ? name[WhiteoutPrefix.Length..] : name;
    }

    /// <summary>Whether the upper folder's directory <paramref name="hostPath"/> replaced the lower ones.</summary>
    public bool IsOpaque(string hostPath) =>
        LibC.TryGetXattr(hostPath, Form.OpaqueAttribute) is [(byte)'y']
        || (WhiteoutFiles && File.Exists(Path.Combine(hostPath, OpaqueFile)));
}
