using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Kaniko.Engine;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Caching;

/// <summary>
/// Cached <c>RUN</c> layers in real builds from busybox: a hit does not run the command, later steps see what it
/// made (directories for copies, files for a later <c>RUN</c>), and a registry hit is downloaded only when a later
/// <c>RUN</c> needs its files. A stage whose <c>RUN</c> steps all hit makes no root and downloads no base layer, on
/// each rung of the ladder; a <c>RUN</c> that misses after hits makes it then and builds the image a cold build makes.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed partial class RunLayerCacheBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    private BuildRequest CachedRequest(string destination, string? cacheDirectory = null, string? cacheRepo = null) => _build.Request(destination) with
    {
        Reproducible = true,
        CacheDirectory = cacheDirectory ?? _build.CacheDirectory,
        Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true, Repository = cacheRepo },
    };

    private async Task<(BuildResult Result, List<LayerCacheLookupEvent> Lookups, List<string> Output)> BuildAsync(BuildRequest request)
    {
        _build.Events.Clear();
        var result = await _build.BuildAsync(request);
        return (result, [.. _build.Events.OfType<LayerCacheLookupEvent>()], [.. _build.Events.OfType<RunOutputEvent>().Select(e => e.Text)]);
    }

    [Fact]
    public async Task A_cached_run_is_not_executed_and_later_copies_see_its_directories()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN mkdir -p /opt/tool && cat /proc/sys/kernel/random/uuid > /opt/tool/stamp && echo ran
            COPY x.txt /opt/tool
            """);
        _build.Write("x.txt", "x\n");
        var destination = _build.NewReference("cache-run");

        var (cold, coldLookups, coldOutput) = await BuildAsync(CachedRequest(destination));
        var coldStamp = await File.ReadAllTextAsync(Path.Combine(await _build.UnpackAsync(destination), "opt/tool/stamp"), BuildHarness.Cancellation);
        var (warm, warmLookups, warmOutput) = await BuildAsync(CachedRequest(destination));

        Assert.Equal([false, false], coldLookups.Select(l => l.Hit));
        Assert.Equal([true, true], warmLookups.Select(l => l.Hit));
        Assert.Contains("ran", coldOutput);
        Assert.DoesNotContain("ran", warmOutput);
        Assert.Equal(cold.Digest, warm.Digest);
        var rootfs = await _build.UnpackAsync(destination);
        Assert.Equal(coldStamp, await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/tool/stamp"), BuildHarness.Cancellation));
        Assert.Equal("x\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "opt/tool/x.txt"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_later_run_sees_the_files_of_a_cached_run_from_the_registry()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN cat /proc/sys/kernel/random/uuid > /first
            ARG SECOND=1
            RUN cp /first /second && echo "second $SECOND"
            """);
        var destination = _build.NewReference("cache-run-later");
        var cacheRepo = Kaniko.Engine.Oci.ImageReference.Parse(destination).Context + "/cache";
        await BuildAsync(CachedRequest(destination, cacheRepo: cacheRepo));

        // Another machine: only the registry cache is shared, and the second RUN's build argument changed.
        var fresh = _build.Path("fresh-cache");
        var (_, lookups, output) = await BuildAsync(CachedRequest(destination, fresh, cacheRepo) with { BuildArgs = [new("SECOND", "2")] });

        Assert.Equal([true, false], lookups.Select(l => l.Hit));
        Assert.EndsWith("/cache", lookups[0].Source, StringComparison.Ordinal);
        Assert.Contains("second 2", output);
        // The second RUN needed the files of the first: its cached layer was downloaded, through the blob store.
        var firstLayer = (await BuildHarness.ManifestAsync(destination)).GetProperty("layers")[1].GetProperty("digest").GetString()!;
        Assert.True(File.Exists(Path.Combine(fresh, "blobs", "sha256", firstLayer["sha256:".Length..])));
        var rootfs = await _build.UnpackAsync(destination);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(rootfs, "first"), BuildHarness.Cancellation),
            await File.ReadAllTextAsync(Path.Combine(rootfs, "second"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Run_layers_are_not_cached_when_turned_off()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo hi > /hi
            """);
        var destination = _build.NewReference("cache-run-off");
        var request = CachedRequest(destination) with { Cache = new LayerCacheSettings { Enabled = true, RunLayers = false } };

        await BuildAsync(request);
        var (_, lookups, _) = await BuildAsync(request);

        Assert.Empty(lookups);
    }

    [Fact]
    public async Task A_secret_never_reaches_a_key_or_a_cache_entry()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=secret,id=token test -s /run/secrets/token && echo made > /made
            """);
        var destination = _build.NewReference("cache-secret");
        var file = _build.Path("token.txt");
        const string First = "first-secret-5b0c9e";
        const string Second = "second-secret-d41e77";

        await File.WriteAllTextAsync(file, First, BuildHarness.Cancellation);
        var (_, cold, _) = await BuildAsync(CachedRequest(destination) with { Secrets = [BuildSecret.Parse("id=token,src=" + file, _ => null)] });
        await File.WriteAllTextAsync(file, Second, BuildHarness.Cancellation);
        var (_, warm, _) = await BuildAsync(CachedRequest(destination) with { Secrets = [BuildSecret.Parse("id=token,src=" + file, _ => null)] });

        // The value is not an input of the key: another value is still a hit.
        Assert.Equal([false], cold.Select(l => l.Hit));
        Assert.Equal([true], warm.Select(l => l.Hit));
        Assert.Equal(cold[0].Key, warm[0].Key);
        foreach (var entry in Directory.GetFiles(Path.Combine(_build.CacheDirectory, "layers"), "*.json", SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(entry, BuildHarness.Cancellation);
            Assert.DoesNotContain(First, text, StringComparison.Ordinal);
        }

        var cacheImage = Kaniko.Engine.Oci.ImageReference.Parse(destination).Context + "/cache:" + cold[0].Key;
        Assert.DoesNotContain(First, (await BuildHarness.ConfigAsync(cacheImage)).GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(First, (await BuildHarness.ManifestAsync(cacheImage)).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bind_mount_from_the_context_is_keyed_by_its_content()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --mount=type=bind,source=src,target=/src cat /src/a.txt > /copied
            """);
        _build.Write("src/a.txt", "one\n");
        var destination = _build.NewReference("cache-bind");

        var (_, cold, _) = await BuildAsync(CachedRequest(destination));
        var (_, same, _) = await BuildAsync(CachedRequest(destination));
        _build.Write("src/a.txt", "two\n");
        var (_, changed, _) = await BuildAsync(CachedRequest(destination));

        Assert.Equal([false], cold.Select(l => l.Hit));
        Assert.Equal([true], same.Select(l => l.Hit));
        Assert.Equal([false], changed.Select(l => l.Hit));
        var rootfs = await _build.UnpackAsync(destination);
        Assert.Equal("two\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "copied"), BuildHarness.Cancellation));
    }

    private const string CopyAndRunSteps = """
        COPY a.txt /work/
        RUN cat /work/a.txt > /work/b.txt
        COPY c.txt /work/
        RUN cat /work/c.txt >> /work/b.txt
        """;

    // What StageRootFs reported making for the last build: a root unpacked, or an overlay of the layer store.
    private List<string> RootsMade() =>
        [.. _build.Events.OfType<MessageEvent>().Select(m => m.Text).Where(t => RootMade().IsMatch(t))];

    [GeneratedRegex("^root filesystem .*: (unpacked|overlay of) [0-9]+ layer\\(s\\)")]
    private static partial Regex RootMade();

    [Theory]
    [InlineData(StageRootKind.Unpack)]
    [InlineData(StageRootKind.Automatic)]
    public async Task A_stage_whose_runs_all_hit_makes_no_root_and_downloads_no_base_layer(StageRootKind stageRoot)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\n{CopyAndRunSteps}\n");
        _build.Write("a.txt", "a\n");
        _build.Write("c.txt", "c\n");
        var destination = _build.NewReference("lazy-root-hits");
        var cacheRepo = Kaniko.Engine.Oci.ImageReference.Parse(destination).Context + "/cache";

        var (cold, coldLookups, _) = await BuildAsync(CachedRequest(destination, _build.Path("cold-cache"), cacheRepo) with { StageRoot = stageRoot });
        var coldRoots = RootsMade();
        // A new machine (an executor pod): a fresh cache directory, only the registry cache shared.
        var warmCache = _build.Path("warm-cache");
        var (warm, warmLookups, _) = await BuildAsync(CachedRequest(destination, warmCache, cacheRepo) with { StageRoot = stageRoot });

        Assert.Equal([false, false, false, false], coldLookups.Select(l => l.Hit));
        Assert.NotEmpty(coldRoots);
        Assert.Equal([true, true, true, true], warmLookups.Select(l => l.Hit));
        Assert.Empty(RootsMade());
        Assert.Equal(cold.Digest, warm.Digest);
        // Nothing read the base either: its layer never reached the warm build's blob store.
        var baseLayer = (await BuildHarness.ManifestAsync(destination)).GetProperty("layers")[0].GetProperty("digest").GetString()!;
        Assert.False(File.Exists(Path.Combine(warmCache, "blobs", "sha256", baseLayer["sha256:".Length..])), "the warm build downloaded the base layer");
    }

    [Theory]
    [InlineData(StageRootKind.Unpack)]
    [InlineData(StageRootKind.Automatic)]
    public async Task A_run_that_misses_after_hits_sees_the_base_and_the_cached_layers_and_builds_the_cold_image(StageRootKind stageRoot)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            {CopyAndRunSteps}
            ARG N=1
            RUN cat /work/b.txt /work/c.txt > /work/d.txt && test -x /bin/busybox && echo "n $N" >> /work/d.txt
            """);
        _build.Write("a.txt", "a\n");
        _build.Write("c.txt", "c\n");
        var destination = _build.NewReference("lazy-root-miss");
        var cacheRepo = Kaniko.Engine.Oci.ImageReference.Parse(destination).Context + "/cache";
        await BuildAsync(CachedRequest(destination, _build.Path("first-cache"), cacheRepo) with { StageRoot = stageRoot });

        // Another machine, only the registry cache shared, and the last RUN's build argument changed.
        var (warm, lookups, _) = await BuildAsync(CachedRequest(destination, _build.Path("warm-cache"), cacheRepo) with
        {
            StageRoot = stageRoot,
            BuildArgs = [new("N", "2")],
        });
        var roots = RootsMade();
        var rootfs = await _build.UnpackAsync(destination);
        // The same build with nothing cached at all.
        var (cold, _, _) = await BuildAsync(_build.Request(_build.NewReference("lazy-root-cold")) with
        {
            Reproducible = true,
            CacheDirectory = _build.Path("cold-cache"),
            StageRoot = stageRoot,
            BuildArgs = [new("N", "2")],
        });

        Assert.Equal([true, true, true, true, false], lookups.Select(l => l.Hit));
        // The root was made once, for the last RUN, from the base layer and the four cached layers above it.
        var made = Assert.Single(roots);
        Assert.Contains(" 5 layer(s)", made, StringComparison.Ordinal);
        Assert.Equal("a\nc\nc\nn 2\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "work/d.txt"), BuildHarness.Cancellation));
        Assert.Equal(cold.Digest, warm.Digest);
    }

    // The classic .NET shape on busybox: WORKDIR, a COPY and a RUN, the rest and a RUN that makes the output folder,
    // then COPY --from of that folder (read from the layers above the base unless a link in it could lead below);
    // and WORKDIR on a folder the base has (the copies into it need the base's tree).
    public static TheoryData<string, bool> DeferredTreeCases => new()
    {
        {
        """
        FROM {0} AS build
        WORKDIR /src
        COPY a.txt ./
        RUN cat a.txt > b.txt
        COPY . .
        RUN mkdir -p /app/sub && cp /src/b.txt /src/c.txt /app/sub/
        FROM {0}
        WORKDIR /app
        COPY --from=build /app .
        """, true
        },
        {
        """
        FROM {0} AS build
        WORKDIR /src
        COPY a.txt ./
        RUN cat a.txt > b.txt
        COPY . .
        RUN mkdir -p /app/sub && cp /src/b.txt /src/c.txt /app/sub/ && ln -s sub/c.txt /app/c
        FROM {0}
        WORKDIR /app
        COPY --from=build /app .
        """, false
        },
        {
        """
        FROM {0}
        WORKDIR /etc/conf.d/app
        COPY a.txt ./
        RUN cat a.txt > b.txt
        WORKDIR /etc
        COPY c.txt conf.d/
        RUN cat conf.d/c.txt >> conf.d/app/b.txt
        """, false
        },
    };

    [Theory]
    [MemberData(nameof(DeferredTreeCases))]
    public async Task Steps_planned_without_the_base_tree_after_cache_hits_build_the_image_of_a_build_without_cache(string dockerfile, bool readsAbove)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", string.Format(System.Globalization.CultureInfo.InvariantCulture, dockerfile, busybox.Reference));
        _build.Write("a.txt", "a\n");
        _build.Write("c.txt", "one\n");
        var destination = _build.NewReference("deferred-tree");
        var cacheRepo = Kaniko.Engine.Oci.ImageReference.Parse(destination).Context + "/cache";
        BuildRequest Warm(string cache) => CachedRequest(destination, _build.Path(cache), cacheRepo) with
        {
            Cache = new LayerCacheSettings { Enabled = true, Repository = cacheRepo },
        };
        async Task<string> WithoutCacheAsync(string name) => (await _build.BuildAsync(_build.Request(_build.NewReference(name)) with
        {
            Reproducible = true,
            CacheDirectory = _build.Path(name + "-cache"),
        })).Digest.ToString();

        await BuildAsync(Warm("first"));
        // New machines, only the registry cache shared (COPY layers are not cached, as in an executor pod): the
        // context changed, so the steps from COPY . . on miss; then nothing changed, so every RUN hits.
        _build.Write("c.txt", "two\n");
        var (changed, changedLookups, _) = await BuildAsync(Warm("changed"));
        var changedWithoutCache = await WithoutCacheAsync("changed-without-cache");
        var (same, sameLookups, _) = await BuildAsync(Warm("same"));
        var messages = _build.Events.OfType<MessageEvent>().Select(m => m.Text).ToList();

        Assert.Contains(false, changedLookups.Select(l => l.Hit));
        Assert.All(sameLookups, l => Assert.True(l.Hit));
        Assert.Equal(changedWithoutCache, changed.Digest.ToString());
        Assert.Equal(changedWithoutCache, same.Digest.ToString());
        Assert.Contains(messages, m => m.EndsWith("its base's tree is not read)", StringComparison.Ordinal));
        Assert.Equal(readsAbove, messages.Any(m => m.StartsWith("stage build: read from its layer", StringComparison.Ordinal)));
        if (readsAbove)
        {
            // Nothing read the base: its layer never reached the blob store of the build whose steps all hit.
            var baseLayer = (await BuildHarness.ManifestAsync(busybox.Reference)).GetProperty("layers")[0].GetProperty("digest").GetString()!;
            Assert.False(File.Exists(Path.Combine(_build.Path("same"), "blobs", "sha256", baseLayer["sha256:".Length..])));
        }
    }
}
