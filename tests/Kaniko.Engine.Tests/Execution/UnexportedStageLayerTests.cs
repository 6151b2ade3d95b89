using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// The layers of a stage the image does not hold (only read by <c>COPY --from</c>): plain tars while the build runs,
/// compressed only for the layer cache, in the background, to the very blobs a build exporting that stage writes.
/// Real (scratch, unpushed) builds.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnexportedStageLayerTests : IDisposable
{
    private const string Dockerfile = """
        FROM scratch AS build
        COPY a.txt /a/
        COPY b/ /b/
        FROM scratch
        COPY --from=build /a /out/
        """;

    private readonly TempDirectory _root = new("kaniko-unexported-");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Without_a_cache_the_layers_of_a_stage_no_output_holds_are_never_compressed()
    {
        var work = _root.Combine("work");
        Directory.CreateDirectory(work);
        var sink = new BlobWatchingSink(work);

        var result = await BuildAsync(Request("plain") with { WorkDirectoryRoot = work }, sink);

        // When the last stage starts copying, the build stage has written its two layers: plain tars, nothing gzip.
        Assert.NotNull(sink.SeenWhenCopying);
        Assert.Equal(2, sink.SeenWhenCopying.Count);
        Assert.All(sink.SeenWhenCopying, kind => Assert.Equal("tar", kind));
        // The image is the one a build with a cache (which compresses that stage's layers for the cache) gives.
        var cached = await BuildAsync(Request("cached") with { Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true } }, new BlobWatchingSink(null));
        Assert.Equal(cached.Digest, result.Digest);
    }

    [Fact]
    public async Task With_a_cache_they_are_cached_compressed_as_a_build_exporting_that_stage_writes_them()
    {
        var cache = new LayerCacheSettings { Enabled = true, CopyLayers = true };
        var sink = new BlobWatchingSink(null);
        await BuildAsync(Request("shared") with { Cache = cache }, sink);
        Assert.Equal([false, false, false], sink.Lookups.Select(l => l.Hit));

        // Every entry is a compressed blob, never the plain tar the stage used while building.
        var entries = Directory.GetFiles(Path.Combine(_root.Combine("shared-cache"), "layers", "v1"), "*.json");
        Assert.Equal(3, entries.Length);
        foreach (var entry in entries)
        {
            using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(entry, TestContext.Current.CancellationToken));
            Assert.Equal(MediaType.OciLayerGzip.ToString(), json.RootElement.GetProperty("mediaType").GetString());
            Assert.NotEqual(json.RootElement.GetProperty("diffId").GetString(), json.RootElement.GetProperty("digest").GetString());
        }

        // Building that stage as the target hits its two steps, and its image is the one a cold build of it gives.
        var hits = new BlobWatchingSink(null);
        var warm = await BuildAsync(Request("shared") with { Cache = cache, Target = "build" }, hits);
        var cold = await BuildAsync(Request("fresh") with { Cache = cache, Target = "build" }, new BlobWatchingSink(null));
        Assert.Equal([true, true], hits.Lookups.Select(l => l.Hit));
        Assert.Equal(cold.Digest, warm.Digest);
    }

    private BuildRequest Request(string name)
    {
        var context = _root.Combine("context");
        if (!Directory.Exists(context))
        {
            Directory.CreateDirectory(Path.Combine(context, "b"));
            File.WriteAllText(Path.Combine(context, "Dockerfile"), Dockerfile);
            File.WriteAllText(Path.Combine(context, "a.txt"), "a\n");
            File.WriteAllBytes(Path.Combine(context, "b", "big.txt"), Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("compressible ", 100_000))));
        }

        return new BuildRequest
        {
            Context = context,
            NoPush = true,
            Platform = "linux/amd64",
            Reproducible = true,
            CacheDirectory = _root.Combine(name + "-cache"),
        };
    }

    private static Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink sink) =>
        KanikoBuilder.BuildAsync(request, sink, TestContext.Current.CancellationToken);

    /// <summary>Records the cache lookups, and the kind of each blob in the work folder when the last stage's copy starts.</summary>
    private sealed class BlobWatchingSink(string? workRoot) : IBuildEventSink
    {
        private readonly Lock _lock = new();

        public List<LayerCacheLookupEvent> Lookups { get; } = [];

        public List<string>? SeenWhenCopying { get; private set; }

        public void Report(BuildEvent buildEvent)
        {
            lock (_lock)
            {
                if (buildEvent is LayerCacheLookupEvent lookup)
                {
                    Lookups.Add(lookup);
                }
                else if (workRoot is not null && buildEvent is StepStartedEvent { StageNumber: 2, StepNumber: 2 })
                {
                    // The build's own folder is the one folder inside the root; blobs are named by their digest's hex.
                    SeenWhenCopying = [.. Directory.GetDirectories(workRoot).SelectMany(Directory.GetFiles)
                        .Where(f => Path.GetFileName(f).Length == 64)
                        .Select(Kind)];
                }
            }
        }

        private static string Kind(string path)
        {
            var head = new byte[262];
            using var file = File.OpenRead(path);
            file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            return head[0] == 0x1F && head[1] == 0x8B ? "gzip" : Encoding.ASCII.GetString(head, 257, 5) == "ustar" ? "tar" : "other";
        }
    }
}
