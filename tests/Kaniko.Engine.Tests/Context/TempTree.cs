using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Context;

/// <summary>A temporary context tree (a shared <see cref="TempDirectory"/>) with helpers to lay out files and links.</summary>
internal sealed class TempTree : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-context-");

    public string Root => _directory.Path;

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

    public void Dispose() => _directory.Dispose();
}
