using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Layers;

/// <summary>
/// One entry of a layer to write: its path inside the image, its metadata and, for a regular file, a way to open its
/// content. Paths are image paths ('/'-separated, never <see cref="System.IO.Path"/>); a leading <c>/</c> or <c>./</c>
/// is dropped and <c>..</c> is refused, so the tar holds relative names as the image spec's changesets do.
/// </summary>
internal sealed record LayerEntry
{
    /// <summary>The whiteout prefix of the image spec's layer changesets: <c>.wh.NAME</c> deletes <c>NAME</c>.</summary>
    public const string WhiteoutPrefix = ".wh.";

    /// <summary>The opaque whiteout file name: its presence hides the lower layers' content of its directory.</summary>
    public const string OpaqueWhiteoutName = ".wh..wh..opq";

    /// <summary>Default permissions of directories made by the factory methods: 0755.</summary>
    public const UnixFileMode DefaultDirectoryMode = (UnixFileMode)0x1ED;

    /// <summary>Default permissions of files made by the factory methods: 0644.</summary>
    public const UnixFileMode DefaultFileMode = (UnixFileMode)0x1A4;

    /// <summary>Permissions stored for symbolic links: 0777, as Linux reports them.</summary>
    public const UnixFileMode SymbolicLinkMode = (UnixFileMode)0x1FF;

    /// <summary>
    /// The path inside the image, for example <c>usr/bin/tool</c>. For a whiteout, the path being deleted; for an
    /// opaque whiteout, the directory being made opaque.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>What the entry is.</summary>
    public required LayerEntryType Type { get; init; }

    /// <summary>Permission bits, including setuid, setgid and sticky.</summary>
    public UnixFileMode Mode { get; init; }

    /// <summary>Owner user id.</summary>
    public int Uid { get; init; }

    /// <summary>Owner group id.</summary>
    public int Gid { get; init; }

    /// <summary>Owner user name stored in the header, or null for none.</summary>
    public string? UserName { get; init; }

    /// <summary>Owner group name stored in the header, or null for none.</summary>
    public string? GroupName { get; init; }

    /// <summary>The modification time; the Unix epoch unless given, so layers are reproducible by default.</summary>
    public DateTimeOffset ModificationTime { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>The target of a symbolic link (stored as is) or of a hard link (an image path).</summary>
    public string? LinkTarget { get; init; }

    /// <summary>The exact length of a regular file's content; the writer fails when the content differs.</summary>
    public long Size { get; init; }

    /// <summary>Opens a regular file's content; called once, when the entry is written, and the stream is disposed after.</summary>
    public Func<CancellationToken, ValueTask<Stream>>? OpenContent { get; init; }

    /// <summary>A directory.</summary>
    public static LayerEntry Directory(string path, UnixFileMode mode = DefaultDirectoryMode) =>
        new() { Path = path, Type = LayerEntryType.Directory, Mode = mode };

    /// <summary>A regular file whose <paramref name="size"/> bytes are read from <paramref name="openContent"/> when written.</summary>
    public static LayerEntry File(string path, long size, Func<CancellationToken, ValueTask<Stream>> openContent, UnixFileMode mode = DefaultFileMode)
    {
        ArgumentNullException.ThrowIfNull(openContent);
        return new() { Path = path, Type = LayerEntryType.RegularFile, Mode = mode, Size = size, OpenContent = openContent };
    }

    /// <summary>A regular file with the given bytes.</summary>
    public static LayerEntry File(string path, ReadOnlyMemory<byte> content, UnixFileMode mode = DefaultFileMode) =>
        File(path, content.Length, _ => ValueTask.FromResult<Stream>(new MemoryStream(content.ToArray(), writable: false)), mode);

    /// <summary>A regular file whose content is the host file <paramref name="hostPath"/>, read when the entry is written.</summary>
    public static LayerEntry HostFile(string path, string hostPath, UnixFileMode mode = DefaultFileMode)
    {
        ArgumentNullException.ThrowIfNull(hostPath);
        var size = new FileInfo(hostPath).Length;
        return File(path, size, _ => ValueTask.FromResult<Stream>(new FileStream(
            hostPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan)), mode);
    }

    /// <summary>A symbolic link to <paramref name="target"/>.</summary>
    public static LayerEntry SymbolicLink(string path, string target) =>
        new() { Path = path, Type = LayerEntryType.SymbolicLink, Mode = SymbolicLinkMode, LinkTarget = target };

    /// <summary>A hard link to the image path <paramref name="target"/>.</summary>
    public static LayerEntry HardLink(string path, string target, UnixFileMode mode = DefaultFileMode) =>
        new() { Path = path, Type = LayerEntryType.HardLink, Mode = mode, LinkTarget = target };

    /// <summary>The deletion of <paramref name="path"/> (written as <c>.wh.NAME</c> beside it).</summary>
    public static LayerEntry Whiteout(string path) =>
        new() { Path = path, Type = LayerEntryType.Whiteout };

    /// <summary>Marks <paramref name="directory"/> opaque (written as <c>.wh..wh..opq</c> inside it).</summary>
    public static LayerEntry OpaqueWhiteout(string directory) =>
        new() { Path = directory, Type = LayerEntryType.OpaqueWhiteout };

    /// <summary>
    /// The entry's name in the tar: the normalised path, with a trailing <c>/</c> for directories and the whiteout
    /// file names for whiteouts. Throws <c>KANIKO3301</c> for an empty path or one with <c>..</c>.
    /// </summary>
    public string TarName
    {
        get
        {
            var path = NormalizePath(Path, allowRoot: Type == LayerEntryType.OpaqueWhiteout);
            return Type switch
            {
                LayerEntryType.Directory => path + "/",
                LayerEntryType.Whiteout => WhiteoutName(path),
                LayerEntryType.OpaqueWhiteout => path.Length == 0 ? OpaqueWhiteoutName : path + "/" + OpaqueWhiteoutName,
                _ => path,
            };
        }
    }

    /// <summary>
    /// Normalises an image path to the relative, '/'-separated form tar entries use: drops leading <c>/</c> and
    /// <c>./</c>, empty and <c>.</c> segments and a trailing <c>/</c>; throws <c>KANIKO3301</c> for <c>..</c>, a NUL
    /// character, or (unless <paramref name="allowRoot"/>) the root itself.
    /// </summary>
    public static string NormalizePath(string path, bool allowRoot = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw InvalidPath(path, "it contains a NUL character");
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            throw InvalidPath(path, "'..' would leave the image root");
        }

        if (segments.Count == 0 && !allowRoot)
        {
            throw InvalidPath(path, "it names the image root");
        }

        return string.Join('/', segments);
    }

    private static string WhiteoutName(string path)
    {
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            throw InvalidPath(path, "a whiteout cannot delete a name that is itself a whiteout");
        }

        return path[..(slash + 1)] + WhiteoutPrefix + name;
    }

    private static KanikoException InvalidPath(string path, string reason) => new(
        DiagnosticCodes.InvalidLayerEntryPath,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidLayerEntryPath, path, reason));
}
