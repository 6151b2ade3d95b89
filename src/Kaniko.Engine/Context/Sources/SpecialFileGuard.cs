using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// Refuses a FIFO, socket or device node of a directory context, which .NET lists as a file: opening a FIFO blocks
/// until a writer comes (the build would hang at the <c>COPY</c>), and BuildKit does not send such files as content
/// either. The message names the file and the way out (.dockerignore, whose excluded entries are never listed).
/// </summary>
internal sealed class SpecialFileGuard : IBuildContext
{
    private readonly DirectoryBuildContext _inner;

    private SpecialFileGuard(DirectoryBuildContext inner)
    {
        _inner = inner;
    }

    /// <summary>The directory context guarded, for what reads its files' host metadata (hard links).</summary>
    public DirectoryBuildContext Inner => _inner;

    public string Description => _inner.Description;

    public DockerIgnoreMatcher Ignore => _inner.Ignore;

    /// <summary>Guards a directory context on Linux (where the file type is read); any other is returned as it is.</summary>
    public static IBuildContext Wrap(IBuildContext context) =>
        OperatingSystem.IsLinux() && context is DirectoryBuildContext directory ? new SpecialFileGuard(directory) : context;

    public bool FileExists(string relativePath) => _inner.FileExists(relativePath);

    public Stream OpenRead(string relativePath)
    {
        Refuse(relativePath);
        return _inner.OpenRead(relativePath);
    }

    public IEnumerable<ContextEntry> EnumerateEntries()
    {
        var entries = _inner.EnumerateEntries();
        foreach (var entry in entries.Where(e => e.Kind == ContextEntryKind.File))
        {
            Refuse(entry.Path);
        }

        return entries;
    }

    public void Dispose() => _inner.Dispose();

    private void Refuse(string relativePath)
    {
        if (!OperatingSystem.IsLinux() || !LibC.TryLstat(_inner.ResolveHostPath(relativePath), out var stat))
        {
            return;
        }

        var kind = FileStat.KindOf(stat.Mode) switch
        {
            FileEntryKind.Fifo => "FIFO (named pipe)",
            FileEntryKind.Socket => "socket",
            FileEntryKind.CharacterDevice => "character device",
            FileEntryKind.BlockDevice => "block device",
            _ => null,
        };
        if (kind is not null)
        {
            throw new KanikoException(
                DiagnosticCodes.ContextSpecialFile,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextSpecialFile, relativePath, kind));
        }
    }
}
