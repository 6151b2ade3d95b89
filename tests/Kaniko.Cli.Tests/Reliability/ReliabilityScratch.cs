using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// One test's folders: a context, its own TMPDIR and cache (so leftovers are counted where only this test writes),
/// and an output folder. All below one temporary root, removed on dispose.
/// </summary>
internal sealed class ReliabilityScratch : IDisposable
{
    private readonly TempDirectory _root = new("kaniko-cli-reliability-");

    public ReliabilityScratch()
    {
        Directory.CreateDirectory(Context);
        Directory.CreateDirectory(Tmp);
        Directory.CreateDirectory(Cache);
        Directory.CreateDirectory(Outputs);
    }

    public string Root => _root.Path;

    public string Context => _root.Combine("context");

    public string Tmp => _root.Combine("tmp");

    public string Cache => _root.Combine("cache");

    public string Outputs => _root.Combine("outputs");

    /// <summary>TMPDIR for the child, so its work folders land in <see cref="Tmp"/>.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["TMPDIR"] = Tmp };

    /// <summary>The build's work folders (<c>kaniko-dotnet-build-*</c>, <c>kaniko-run-*</c>) in <see cref="Tmp"/>.</summary>
    public IReadOnlyList<string> WorkFolders() =>
        [.. Directory.EnumerateDirectories(Tmp, "kaniko-dotnet-build-*").Concat(Directory.EnumerateDirectories(Tmp, "kaniko-run-*"))];

    /// <summary>The partial blobs in the cache's <c>incoming/</c>.</summary>
    public IReadOnlyList<string> IncomingFiles() =>
        Directory.Exists(Path.Combine(Cache, "incoming")) ? [.. Directory.EnumerateFiles(Path.Combine(Cache, "incoming"))] : [];

    public void WriteDockerfile(string text) => File.WriteAllText(Path.Combine(Context, "Dockerfile"), text);

    /// <summary>Writes <paramref name="size"/> random (incompressible) bytes to the context file <paramref name="name"/>.</summary>
    public void WriteRandomFile(string name, int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(Context, name), bytes);
    }

    /// <summary>The arguments of a build of <see cref="Context"/> with this scratch's cache, plus <paramref name="extra"/>.</summary>
    public string[] BuildArguments(params string[] extra) =>
        ["build", "--context", Context, "--cache-dir", Cache, .. extra];

    /// <summary>The arguments of a build written to a tarball only.</summary>
    public string[] TarballBuild(params string[] extra) =>
        BuildArguments(["--no-push", "--tar-path", Path.Combine(Outputs, "image.tar"), .. extra]);

    public void Dispose() => _root.Dispose();
}
