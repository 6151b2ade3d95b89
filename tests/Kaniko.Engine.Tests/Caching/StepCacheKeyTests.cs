using System.Text;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Caching;

/// <summary>
/// The keys of a stage's COPY steps, taken from the cache events of real (scratch, unpushed) builds: a table of
/// changes to the inputs, each with the steps whose keys it must change (the others must keep theirs).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StepCacheKeyTests : IDisposable
{
    private const string Dockerfile = """
        FROM scratch
        ARG V=1
        ENV E=1
        COPY a.txt /a/
        COPY b/ /b/
        COPY c.txt /c/
        """;

    private readonly TempDirectory _root = new("kaniko-cache-keys-");

    public void Dispose() => _root.Dispose();

    /// <summary>A change to the build, and the COPY steps (0, 1, 2) whose keys it changes.</summary>
    public sealed record Change(string Name, Action<Scenario> Apply, int[] Changed)
    {
        public override string ToString() => Name;
    }

    /// <summary>What one build is made of.</summary>
    public sealed class Scenario(string context)
    {
        public string Context { get; } = context;
        public string Dockerfile { get; set; } = StepCacheKeyTests.Dockerfile;
        public BuildRequest Request { get; set; } = new();

        public void Write(string path, string content, UnixFileMode mode = (UnixFileMode)0x1A4)
        {
            var full = Path.Combine(Context, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, Encoding.UTF8.GetBytes(content));
            File.SetUnixFileMode(full, mode);
        }
    }

    public static TheoryData<Change> Changes => new()
    {
        new Change("nothing", _ => { }, []),
        new Change("a modification time", s => File.SetLastWriteTimeUtc(Path.Combine(s.Context, "b/x.txt"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc)), []),
        new Change("an ignored file", s => { s.Write(".dockerignore", "b/ignored.txt\n"); s.Write("b/ignored.txt", "new"); }, []),
        new Change("a label after the copies", s => s.Dockerfile += "\nLABEL x=y", []),
        new Change("a file of the second copy", s => s.Write("b/x.txt", "changed"), [1, 2]),
        new Change("a file added to the second copy", s => s.Write("b/y.txt", "new"), [1, 2]),
        new Change("a link target of the second copy", s => { File.Delete(Path.Combine(s.Context, "b/link")); File.CreateSymbolicLink(Path.Combine(s.Context, "b/link"), "elsewhere"); }, [1, 2]),
        new Change("a mode of the first copy's file", s => File.SetUnixFileMode(Path.Combine(s.Context, "a.txt"), (UnixFileMode)0x1ED), [0, 1, 2]),
        new Change("the last file", s => s.Write("c.txt", "changed"), [2]),
        new Change("the build argument's value", s => s.Request = s.Request with { BuildArgs = [new("V", "2")] }, [0, 1, 2]),
        new Change("the environment", s => s.Dockerfile = s.Dockerfile.Replace("ENV E=1", "ENV E=2", StringComparison.Ordinal), [0, 1, 2]),
        new Change("a user before the last copy", s => s.Dockerfile = s.Dockerfile.Replace("COPY c.txt", "USER 1000\nCOPY c.txt", StringComparison.Ordinal), [2]),
        new Change("a working directory before the last copy", s => s.Dockerfile = s.Dockerfile.Replace("COPY c.txt", "WORKDIR /w\nCOPY c.txt", StringComparison.Ordinal), [2]),
        new Change("a shell before the last copy", s => s.Dockerfile = s.Dockerfile.Replace("COPY c.txt", "SHELL [\"/bin/bash\", \"-c\"]\nCOPY c.txt", StringComparison.Ordinal), [2]),
        new Change("the second copy's --chmod", s => s.Dockerfile = s.Dockerfile.Replace("COPY b/", "COPY --chmod=700 b/", StringComparison.Ordinal), [1, 2]),
        new Change("the platform", s => s.Request = s.Request with { Platform = "linux/arm64" }, [0, 1, 2]),
        new Change("the compression", s => s.Request = s.Request with { Layers = new LayerSettings { Compression = CompressionKind.Zstd } }, [0, 1, 2]),
        new Change("the compression level", s => s.Request = s.Request with { Layers = new LayerSettings { CompressionLevel = 9 } }, [0, 1, 2]),
        new Change("fixed file times", s => s.Request = s.Request with { SourceDateEpoch = DateTimeOffset.FromUnixTimeSeconds(1000) }, [0, 1, 2]),
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task A_change_moves_exactly_the_keys_it_affects(Change change)
    {
        var before = await KeysAsync("before", _ => { });
        var after = await KeysAsync("after", change.Apply);

        Assert.Equal(3, before.Count);
        Assert.Equal(3, after.Count);
        var moved = Enumerable.Range(0, 3).Where(i => before[i] != after[i]).ToArray();
        Assert.Equal(change.Changed, moved);
    }

    [Fact]
    public async Task The_same_inputs_give_the_same_keys_and_the_second_build_hits_every_step()
    {
        var context = NewScenario("same");
        var first = await BuildAsync(context);
        var second = await BuildAsync(context);

        Assert.Equal(first.Select(e => e.Key), second.Select(e => e.Key));
        Assert.All(first, e => Assert.False(e.Hit));
        Assert.All(second, e => Assert.True(e.Hit));
    }

    private async Task<List<string>> KeysAsync(string name, Action<Scenario> change)
    {
        var scenario = NewScenario(name);
        change(scenario);
        return [.. (await BuildAsync(scenario)).Select(e => e.Key)];
    }

    private Scenario NewScenario(string name)
    {
        var scenario = new Scenario(_root.Combine(name));
        scenario.Write("a.txt", "a");
        scenario.Write("b/x.txt", "x");
        scenario.Write("c.txt", "c");
        File.CreateSymbolicLink(Path.Combine(scenario.Context, "b/link"), "x.txt");
        foreach (var file in new[] { "a.txt", "b/x.txt", "c.txt" })
        {
            File.SetLastWriteTimeUtc(Path.Combine(scenario.Context, file), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        scenario.Request = new BuildRequest
        {
            NoPush = true,
            Platform = "linux/amd64",
            CacheDirectory = _root.Combine(name + "-cache"),
            Cache = new LayerCacheSettings { Enabled = true, CopyLayers = true },
        };
        return scenario;
    }

    private static async Task<List<LayerCacheLookupEvent>> BuildAsync(Scenario scenario)
    {
        File.WriteAllBytes(Path.Combine(scenario.Context, "Dockerfile"), Encoding.UTF8.GetBytes(scenario.Dockerfile));
        var events = new List<BuildEvent>();
        await KanikoBuilder.BuildAsync(scenario.Request with { Context = scenario.Context }, new ListSink(events), TestContext.Current.CancellationToken);
        return [.. events.OfType<LayerCacheLookupEvent>()];
    }

    private sealed class ListSink(List<BuildEvent> events) : IBuildEventSink
    {
        public void Report(BuildEvent buildEvent)
        {
            lock (events)
            {
                events.Add(buildEvent);
            }
        }
    }
}
