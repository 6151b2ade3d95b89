using Kaniko.Tasks;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests;

/// <summary>The <c>KanikoBuild</c> task in this process with the layer cache (<c>KanikoCache*</c>) against a real registry.</summary>
[Trait("Category", "Integration")]
public sealed class KanikoBuildCacheTests(RegistryFixture registry) : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-task-cache-");

    [Fact]
    public void A_second_build_with_KanikoCacheCopyLayers_hits_the_registry_cache_and_gives_the_same_digest()
    {
        File.WriteAllText(_directory.Combine("greeting.txt"), "hello\n");
        File.WriteAllText(_directory.Combine("farewell.txt"), "bye\n");
        var dockerfile = _directory.Combine("Dockerfile");
        File.WriteAllText(dockerfile, "FROM scratch\nCOPY greeting.txt /\nCOPY farewell.txt /etc/\n");
        var destination = registry.Host + "/sdk-cache/app:1";

        // A fresh local cache folder for each build: the second build's hits can only come from the cache repository.
        var (first, firstLog) = Build(dockerfile, destination, "cache-1");
        var (second, secondLog) = Build(dockerfile, destination, "cache-2");

        Assert.True(first.ImageDigest.Length > 0, string.Join("\n", firstLog.Errors.Select(e => e.Message)));
        Assert.Equal(2, Messages(firstLog, "cache miss ").Count);
        Assert.True(second.ImageDigest.Length > 0, string.Join("\n", secondLog.Errors.Select(e => e.Message)));
        var hits = Messages(secondLog, "cache hit ");
        Assert.Equal(2, hits.Count);
        Assert.All(hits, h => Assert.Contains(registry.Host + "/sdk-cache/app/cache", h, StringComparison.Ordinal));
        Assert.Empty(Messages(secondLog, "cache miss "));
        Assert.Equal(first.ImageDigest, second.ImageDigest);
    }

    [Fact]
    public void A_bad_KanikoCacheTtl_is_an_error_with_its_KANIKO_code()
    {
        var dockerfile = _directory.Combine("Dockerfile");
        File.WriteAllText(dockerfile, "FROM scratch\n");
        var engine = new RecordingBuildEngine();
        var task = new KanikoBuild
        {
            BuildEngine = engine,
            ContextDirectory = _directory.Path,
            Dockerfile = dockerfile,
            NoPush = true,
            CacheDirectory = _directory.Combine("cache"),
            Cache = true,
            CacheTtl = "two weeks",
        };

        Assert.False(task.Execute());

        var error = Assert.Single(engine.Errors);
        Assert.Equal("KANIKO3404", error.Code);
        Assert.Equal("KanikoCacheTtl 'two weeks' is not a duration such as 336h, 90m or 1h30m", error.Message);
    }

    public void Dispose() => _directory.Dispose();

    private static List<string> Messages(RecordingBuildEngine engine, string prefix) =>
        [.. engine.Messages.Select(m => m.Message ?? string.Empty).Where(m => m.StartsWith(prefix, StringComparison.Ordinal))];

    private (KanikoBuild Task, RecordingBuildEngine Log) Build(string dockerfile, string destination, string cacheFolder)
    {
        var engine = new RecordingBuildEngine();
        var task = new KanikoBuild
        {
            BuildEngine = engine,
            ContextDirectory = _directory.Path,
            Dockerfile = dockerfile,
            Destinations = [new Microsoft.Build.Utilities.TaskItem(destination)],
            Insecure = true,
            Reproducible = true,
            CacheDirectory = _directory.Combine(cacheFolder),
            Cache = true,
            CacheCopyLayers = true,
        };
        task.Execute();
        return (task, engine);
    }
}
