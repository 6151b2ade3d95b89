using BenchmarkDotNet.Attributes;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Benchmarks;

/// <summary>
/// The snapshot after a step that touched one file, in a root filesystem of 100,000 files (1,000 directories of
/// 100): a parallel statx walk, the comparison with the index taken before, and the one change found.
/// <c>KANIKO_BENCH_FILES</c> sets the file count.
/// </summary>
[MemoryDiagnoser]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class SnapshotBenchmarks
{
    private const int FilesPerDirectory = 100;

    private string _root = string.Empty;
    private RootFs _rootFs = null!;
    private FileIndex _baseline = null!;
    private string _touched = string.Empty;
    private long _round;

    /// <summary>Creates the tree once and indexes it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_root, var middle) = CreateTree();
        _rootFs = new RootFs(_root);
        _baseline = Snapshotter.IndexAsync(_rootFs).GetAwaiter().GetResult();
        _touched = Path.Combine(_root, middle);
    }

    /// <summary>
    /// A new folder of <c>KANIKO_BENCH_FILES</c> files (100,000 by default) of 64 bytes, 100 per directory, and the
    /// relative path of the file in the middle.
    /// </summary>
    internal static (string Root, string Middle) CreateTree()
    {
        var files = int.TryParse(Environment.GetEnvironmentVariable("KANIKO_BENCH_FILES"), out var value) ? value : 100_000;
        var root = Directory.CreateTempSubdirectory("kaniko-bench-rootfs-").FullName;
        var content = new byte[64];
        for (var i = 0; i < files; i++)
        {
            var directory = Path.Combine(root, DirectoryOf(i));
            if (i % FilesPerDirectory == 0)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllBytes(Path.Combine(directory, "f" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)), content);
        }

        var middle = files / 2;
        return (root, Path.Combine(DirectoryOf(middle), "f" + middle.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string DirectoryOf(int file) => "d" + (file / FilesPerDirectory).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Removes the tree.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>Touches one file, then snapshots against the baseline index.</summary>
    [Benchmark]
    public async Task<int> SnapshotAfterTouchingOneFile()
    {
        File.SetLastWriteTimeUtc(_touched, DateTime.UnixEpoch.AddSeconds(++_round));
        var diff = await Snapshotter.DiffAsync(_rootFs, _baseline);
        if (diff.Changes.Count != 1)
        {
            throw new InvalidOperationException($"expected one change, found {diff.Changes.Count}");
        }

        return diff.Changes.Count;
    }
}
