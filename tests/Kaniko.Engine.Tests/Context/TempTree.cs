namespace Kaniko.Engine.Tests.Context;

/// <summary>A temporary directory tree for context tests, deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "kaniko-context-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Creates a file (and its parent directories) at a <c>/</c>-separated path.</summary>
    public string AddFile(string relativePath, string content = "x")
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Creates a directory at a <c>/</c>-separated path.</summary>
    public string AddDirectory(string relativePath) => Directory.CreateDirectory(Path.Combine(Root, relativePath)).FullName;

    /// <summary>Creates a symbolic link at a <c>/</c>-separated path pointing at <paramref name="target"/> as written.</summary>
    public void AddLink(string relativePath, string target)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; a failing dispose would hide the real test result.
        }
    }
}
