namespace Kaniko.Testing;

/// <summary>Locates folders the tests read: the repository root and the optional shared conformance data.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    /// <summary>The repository root (the folder holding <c>global.json</c>).</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>
    /// The shared conformance folder (<c>../shared/conformance</c> beside the repository), or <c>null</c> when this
    /// checkout has none. Override with <c>KANIKO_CONFORMANCE_DIR</c>.
    /// </summary>
    public static string? ConformanceDirectory
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("KANIKO_CONFORMANCE_DIR");
            if (!string.IsNullOrEmpty(fromEnvironment))
            {
                return Directory.Exists(fromEnvironment) ? fromEnvironment : null;
            }

            var beside = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "conformance"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "global.json")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (a folder with global.json and src/) above " + AppContext.BaseDirectory);
    }
}
