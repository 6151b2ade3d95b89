namespace Kaniko.Testing;

/// <summary>A uniquely named temporary directory that is deleted, with its content, on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a new directory under the system temp folder, its name starting with <paramref name="prefix"/>.</summary>
    public TempDirectory(string prefix = "kaniko-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The full path of the directory.</summary>
    public string Path { get; }

    /// <summary>Combines <see cref="Path"/> with <paramref name="parts"/>.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Deletes the directory and everything in it.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
