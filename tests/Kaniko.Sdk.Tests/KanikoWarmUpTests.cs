using Kaniko.Tasks;
using Kaniko.Testing;
using Microsoft.Build.Utilities;

namespace Kaniko.Sdk.Tests;

/// <summary>
/// The warm-up <c>KanikoWarmUp</c> starts early in a publish: it returns at once, <c>KanikoBuild</c> stops it and
/// builds the very image it builds without one, and it leaves nothing behind, also when the build ends without an image step.
/// </summary>
public sealed class KanikoWarmUpTests : IDisposable
{
    private const string AppDockerfile = "FROM scratch\nWORKDIR /app\nCOPY app.dll .\nENTRYPOINT [\"dotnet\", \"app.dll\"]\n";

    private readonly RecordingBuildEngine _engine = new();
    private readonly TempDirectory _directory = new("kaniko-warm-up-");

    private string WarmUpFolder => _directory.Combine("obj", "kaniko", "warm-up");

    [Fact]
    public void The_build_stops_the_warm_up_and_makes_the_image_it_makes_without_one()
    {
        WriteContext(AppDockerfile);
        var without = Build(new RecordingBuildEngine(), "without");

        Assert.True(WarmUp().Execute());
        var with = Build(_engine, "with");

        Assert.Equal(without, with);
        Assert.False(Directory.Exists(WarmUpFolder));
        Assert.Empty(_engine.Errors);
        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void A_build_that_ends_before_its_image_step_stops_the_warm_up_and_leaves_no_folder()
    {
        WriteContext(AppDockerfile);
        Assert.True(WarmUp().Execute());

        _engine.EndBuild();

        Assert.False(Directory.Exists(WarmUpFolder));
    }

    [Fact]
    public void A_Dockerfile_the_warm_up_cannot_use_is_left_to_the_build_to_report()
    {
        WriteContext("FROM 127.0.0.1:1/no/such:image\nFROBNICATE x\n");
        var task = WarmUp();
        task.BuildArgs = [new TaskItem("=bad")];

        Assert.True(task.Execute());
        _engine.EndBuild();

        Assert.Empty(_engine.Errors);
        Assert.Empty(_engine.Warnings);
        Assert.False(Directory.Exists(WarmUpFolder));
    }

    public void Dispose()
    {
        _engine.EndBuild();
        _directory.Dispose();
    }

    private void WriteContext(string dockerfile)
    {
        Directory.CreateDirectory(_directory.Combine("context"));
        File.WriteAllText(_directory.Combine("context", "app.dll"), "app\n");
        File.WriteAllText(_directory.Combine("context", "Dockerfile"), dockerfile);
    }

    private KanikoWarmUp WarmUp() => new()
    {
        BuildEngine = _engine,
        WorkingFolder = WarmUpFolder,
        Dockerfile = _directory.Combine("context", "Dockerfile"),
    };

    private string Build(RecordingBuildEngine buildEngine, string name)
    {
        var task = new KanikoBuild
        {
            BuildEngine = buildEngine,
            ContextDirectory = _directory.Combine("context"),
            Dockerfile = _directory.Combine("context", "Dockerfile"),
            NoPush = true,
            Reproducible = true,
            OciLayoutPath = _directory.Combine(name),
            CacheDirectory = _directory.Combine("cache"),
        };
        Assert.True(task.Execute(), string.Join("\n", buildEngine.Errors.Select(e => e.Message)));
        return task.ImageDigest;
    }
}
