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
    private string _lower = string.Empty;
    private string _folder = string.Empty;
    private string _upper = string.Empty;
    private OverlayMount? _mount;
    private RootFs _merged = null!;
    private OverlayLowers _lowers = null!;
    private string _touched = string.Empty;
    private long _round;

    /// <summary>Creates the tree once and mounts the overlay over it.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_lower, var middle) = SnapshotBenchmarks.CreateTree();
        _folder = Directory.CreateTempSubdirectory("kaniko-bench-ov-").FullName;
        _upper = Directory.CreateDirectory(Path.Combine(_folder, "u")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(_folder, "w")).FullName;
        var target = Directory.CreateDirectory(Path.Combine(_folder, "m")).FullName;
        _mount = OverlayMount.Mount(OverlayRung.KernelOverlay, [_lower], _upper, work, target, _folder);
        _merged = new RootFs(target);
        _lowers = new OverlayLowers([_lower], OverlayForm.Trusted);
        _touched = Path.Combine(target, middle);
    }

    /// <summary>Unmounts and removes both trees.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _mount?.Dispose();
        Directory.Delete(_folder, recursive: true);
        Directory.Delete(_lower, recursive: true);
    }

    /// <summary>Touches one file through the overlay, then snapshots from the upper folder.</summary>
    [Benchmark]
    public async Task<int> SnapshotAfterTouchingOneFile()
    {
        File.SetLastWriteTimeUtc(_touched, DateTime.UnixEpoch.AddSeconds(++_round));
        var diff = (await OverlaySnapshot.DiffAsync(_merged, _upper, _lowers, OverlayUpperMarks.For(OverlayRung.KernelOverlay, OverlayForm.Trusted), CancellationToken.None)).Diff;
        if (diff.Changes.Count != 1)
        {
            throw new InvalidOperationException($"expected one change, found {diff.Changes.Count}");
        }

        return diff.Changes.Count;
    }
}
