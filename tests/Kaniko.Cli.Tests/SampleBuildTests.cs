using System.Formats.Tar;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>The README's main job: building <c>samples/hello-scratch</c> to files, with no registry.</summary>
public sealed class SampleBuildTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-sample-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_scratch_sample_builds_to_a_tarball_and_an_oci_layout_reproducibly()
    {
        var sample = Path.Combine(TestPaths.RepositoryRoot, "samples", "hello-scratch");

        var first = Build(sample, "first");
        var second = Build(sample, "second");

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("STEP 8/8: CMD [\"/app/greeting.txt\"]", first.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_temp.Combine("first", "oci", "index.json")));
        var entries = TarEntryNames(_temp.Combine("first", "image.tar"));
        Assert.Contains("manifest.json", entries);
        Assert.Equal(first.Digest, second.Digest);
    }

    private (int ExitCode, string Output, string Digest) Build(string sample, string name)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(
            [
                "build", "--context", sample, "--no-push", "--reproducible",
                "--tar-path", _temp.Combine(name, "image.tar"),
                "--oci-layout-path", _temp.Combine(name, "oci"),
                "--digest-file", _temp.Combine(name, "digest"),
            ],
            output,
            error);
        Assert.True(exitCode == 0, error.ToString());
        return (exitCode, output.ToString(), File.ReadAllText(_temp.Combine(name, "digest")));
    }

    private static List<string> TarEntryNames(string path)
    {
        using var reader = new TarReader(File.OpenRead(path));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }
}
