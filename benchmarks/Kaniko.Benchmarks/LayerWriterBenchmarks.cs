using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Kaniko.Engine.Layers;

namespace Kaniko.Benchmarks;

/// <summary>
/// LayerWriter end to end: tar + compression + both digests in one pass, from files on disk to a blob on disk. The
/// MB/s column is the size of the input files over the mean time. <c>KANIKO_BENCH_MB</c> sets the input size (64 MB).
/// </summary>
[Config(typeof(ThroughputConfig))]
[MemoryDiagnoser]
public class LayerWriterBenchmarks
{
    private string _root = string.Empty;
    private string _input = string.Empty;
    private List<LayerEntry> _entries = [];
    private LayerWriter _writer = new();

    /// <summary>The compression under test, by name (the engine's enum is internal; a benchmark's parameters are public).</summary>
    [Params("Gzip", "Zstd")]
    public string Compression { get; set; } = "Gzip";

    /// <summary>Generates the input files once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var megabytes = int.TryParse(Environment.GetEnvironmentVariable("KANIKO_BENCH_MB"), out var value) ? value : 64;
        _root = Directory.CreateTempSubdirectory("kaniko-bench-").FullName;
        _input = Path.Combine(_root, "input");
        BenchmarkFiles.Generate(_input, megabytes * 1024L * 1024, fileCount: 200);
        _entries = BenchmarkFiles.Entries(_input);
        _writer = new LayerWriter(new LayerWriterOptions { Compression = Enum.Parse<LayerCompression>(Compression) });
    }

    /// <summary>Removes the input and the written blobs.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes the layer into a fresh folder (so the "already there" shortcut never applies).</summary>
    [Benchmark]
    public async Task<long> WriteLayer()
    {
        var output = Path.Combine(_root, "out-" + Guid.NewGuid().ToString("N"));
        var layer = await _writer.WriteAsync(_entries, output);
        Directory.Delete(output, recursive: true);
        return layer.Size;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "input megabytes (2^20 bytes) per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var bytes = InputBytesOf();
            if (summary[benchmarkCase]?.ResultStatistics is not { } statistics || bytes <= 0)
            {
                return "-";
            }

            return (bytes / (1024.0 * 1024) / (statistics.Mean / 1e9)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        // The benchmark runs in a child process; the column runs in the host, so it recomputes the size the same way.
        private static long InputBytesOf()
        {
            var megabytes = int.TryParse(Environment.GetEnvironmentVariable("KANIKO_BENCH_MB"), out var value) ? value : 64;
            return megabytes * 1024L * 1024 / 200 * 200;
        }
    }
}
