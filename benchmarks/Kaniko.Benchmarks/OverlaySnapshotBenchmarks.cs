using BenchmarkDotNet.Attributes;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Storage;

namespace Kaniko.Benchmarks;

/// <summary>
/// The snapshot on the overlay rung after a step that touched one file, in a root of 100,000 files (the tree of
/// <see cref="SnapshotBenchmarks"/> as the one lower folder of a kernel overlay): only the upper folder is walked and
/// compared with the lower folder at the paths found there. Needs root (the overlay is mounted in a temporary folder
/// and unmounted at the end). <c>KANIKO_BENCH_FILES</c> sets the file count.
/// </summary>
[MemoryDiagnoser]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class OverlaySnapshotBenchmarks
{
    private string lower = string.Empty;
    private string folder = string.Empty;
    private string upper = string.Empty;
    private OverlayMount? mount;
    private RootFs merged = null!;
    private OverlayLowers lowers = null!;
    private string touched = string.Empty;
    private long round;

    /// <summary>Creates the tree once and mounts the overlay over it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (lower, var middle) = SnapshotBenchmarks.CreateTree();
        folder = Directory.CreateTempSubdirectory("kaniko-bench-ov-").FullName;
        upper = Directory.CreateDirectory(Path.Combine(folder, "u")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(folder, "w")).FullName;
        var target = Directory.CreateDirectory(Path.Combine(folder, "m")).FullName;
        mount = OverlayMount.Mount(OverlayRung.KernelOverlay, [lower], upper, work, target, folder);
        merged = new RootFs(target);
        lowers = new OverlayLowers([lower], OverlayForm.Trusted);
        touched = Path.Combine(target, middle);
    }

    /// <summary>Unmounts and removes both trees.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        mount?.Dispose();
        Directory.Delete(folder, recursive: true);
        Directory.Delete(lower, recursive: true);
    }

    /// <summary>Touches one file through the overlay, then snapshots from the upper folder.</summary>
    [Benchmark]
    public async Task<int> SnapshotAfterTouchingOneFile()
    {
        File.SetLastWriteTimeUtc(touched, DateTime.UnixEpoch.AddSeconds(++round));
        var diff = (await OverlaySnapshot.DiffAsync(merged, upper, lowers, CancellationToken.None)).Diff;
        if (diff.Changes.Count != 1)
        {
            throw new InvalidOperationException($"expected one change, found {diff.Changes.Count}");
        }

        return diff.Changes.Count;
    }
}
