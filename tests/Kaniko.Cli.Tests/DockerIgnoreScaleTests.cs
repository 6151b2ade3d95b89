using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>
/// A <c>.dockerignore</c> of thousands of <c>**</c> patterns, matched by the CLI in a child process whose peak memory
/// is read from the kernel: matching must stay small, as BuildKit's pattern matcher is (before the fix this case
/// took 60 s and 7.2 GB; see <c>benchmarks/</c> for its time).
/// </summary>
public sealed class DockerIgnoreScaleTests : IDisposable
{
    private const int PatternCount = 9000;
    private const long MemoryBound = 400L * 1024 * 1024;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Nine_thousand_double_star_patterns_build_within_a_memory_bound_and_exclude_what_they_name()
    {
        var context = _temp.Combine("context");
        var ignore = new StringBuilder();
        for (var i = 0; i < PatternCount; i++)
        {
            ignore.Append('d').Append(i).Append("/**/*.bin\n");
        }

        Write(context, ".dockerignore", ignore.ToString());
        Write(context, "Dockerfile", "FROM scratch\nCOPY . /ctx/\n");
        for (var i = 0; i < PatternCount; i += 90)
        {
            Write(context, $"d{i}/sub/x.bin", "excluded");
            Write(context, $"d{i}/sub/keep.txt", "kept");
        }

        var tar = _temp.Combine("image.tar");
        var (exitCode, _, error, peak) = await CliProcess.RunMeasuredAsync(["build", "--context", context, "--no-push", "--tar-path", tar]);

        Assert.True(exitCode == 0, error);
        Assert.True(peak < MemoryBound, $"peak resident memory {peak / (1024 * 1024)} MiB, bound {MemoryBound / (1024 * 1024)} MiB");
        var names = LayerNames(tar);
        Assert.Contains("ctx/d90/sub/keep.txt", names);
        Assert.DoesNotContain(names, n => n.EndsWith(".bin", StringComparison.Ordinal));
    }

    // The entry names of the image's only layer, read from the docker load tarball.
    private static List<string> LayerNames(string tarball)
    {
        var archive = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var outer = new TarReader(File.OpenRead(tarball)))
        {
            while (outer.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    archive[entry.Name] = copy.ToArray();
                }
            }
        }

        using var manifest = JsonDocument.Parse(archive["manifest.json"]);
        var layer = manifest.RootElement[0].GetProperty("Layers")[0].GetString()!;
        using var gzip = new GZipStream(new MemoryStream(archive[layer]), CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }

    private static void Write(string root, string relativePath, string content)
    {
        var path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
