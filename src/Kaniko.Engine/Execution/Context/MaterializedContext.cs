namespace Kaniko.Engine.Execution;

/// <summary>
/// A build context made available as a local directory: the directory itself for a local context, or a private
/// scratch copy (an unpacked archive, a git checkout) that is deleted when this is disposed.
/// </summary>
public sealed class MaterializedContext : IDisposable
{
    private readonly string? _scratchDirectory;

    internal MaterializedContext(string directory, string description, string? scratchDirectory)
    {
        Directory = directory;
        Description = description;
        _scratchDirectory = scratchDirectory;
    }

    /// <summary>The context's root directory (after <c>--context-sub-path</c>).</summary>
    public string Directory { get; }

    /// <summary>The context argument for messages, credentials redacted.</summary>
    public string Description { get; }

    /// <summary>Whether the directory is a scratch copy that disposing deletes.</summary>
    public bool IsScratchCopy => _scratchDirectory is not null;

    /// <summary>Deletes the scratch copy, if any.</summary>
    public void Dispose()
    {
        if (_scratchDirectory is not null && System.IO.Directory.Exists(_scratchDirectory))
        {
            ScratchDirectories.Delete(_scratchDirectory);
        }
    }
}
