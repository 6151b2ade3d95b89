using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using Kaniko.Engine.Layers;

namespace Kaniko.Benchmarks;

/// <summary>
/// Runs the benchmarks chosen on the command line (BenchmarkDotNet's switcher: --filter, --list), or, with
/// <c>write-layer INPUT OUTPUT [gzip|zstd]</c>, writes one layer from a folder and prints its digests and speed (the
/// comparison script benchmarks/layer-writer-vs-shell.sh uses this), or, with <c>snapshot-loop [ITERATIONS] [overlay]</c>, times
/// <see cref="SnapshotBenchmarks"/> (or <see cref="OverlaySnapshotBenchmarks"/>) in a plain loop and prints every time and the median (quicker than a full run).
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["write-layer", var input, var output, ..])
        {
            var compression = args.Length > 3 && args[3] == "zstd" ? LayerCompression.Zstd : LayerCompression.Gzip;
            await WriteLayerAsync(input, output, compression).ConfigureAwait(false);
            return;
        }

        if (args is ["snapshot-loop", ..] && OperatingSystem.IsLinux())
        {
            var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
            if (args is [_, _, "overlay", ..])
            {
                var overlay = new OverlaySnapshotBenchmarks();
                await TimeLoopAsync(iterations, overlay.Setup, overlay.SnapshotAfterTouchingOneFile, overlay.Cleanup).ConfigureAwait(false);
            }
            else
            {
                var full = new SnapshotBenchmarks();
                await TimeLoopAsync(iterations, full.Setup, full.SnapshotAfterTouchingOneFile, full.Cleanup).ConfigureAwait(false);
            }

            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static async Task TimeLoopAsync(int iterations, Action setup, Func<Task<int>> snapshot, Action cleanup)
    {
        setup();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await snapshot().ConfigureAwait(false);
            }

            var times = new double[iterations];
            for (var i = 0; i < iterations; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                await snapshot().ConfigureAwait(false);
                times[i] = stopwatch.Elapsed.TotalMilliseconds;
            }

            Console.WriteLine(string.Join(' ', times.Select(t => t.ToString("F1", CultureInfo.InvariantCulture))));
            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median {times[iterations / 2]:F1} ms, best {times[0]:F1} ms"));
        }
        finally
        {
            cleanup();
        }
    }

    private static async Task WriteLayerAsync(string input, string output, LayerCompression compression)
    {
        var entries = BenchmarkFiles.Entries(input);
        var bytes = BenchmarkFiles.TotalBytes(input);
        var stopwatch = Stopwatch.StartNew();
        var layer = await new LayerWriter(new LayerWriterOptions { Compression = compression }).WriteAsync(entries, output).ConfigureAwait(false);
        stopwatch.Stop();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"digest {layer.Digest}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"diff_id {layer.DiffId}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seconds {seconds:F3}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MB/s {bytes / (1024.0 * 1024) / seconds:F1}"));
    }
}
