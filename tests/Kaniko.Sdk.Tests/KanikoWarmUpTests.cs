using System.Net;
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

    [Fact]
    public async System.Threading.Tasks.Task The_push_path_is_warmed_against_a_registry_of_the_process_that_keeps_nothing()
    {
        // The image step's push (blob checks, uploads, manifests, the attestation index) runs against the warm-up's
        // own loopback registry: every blob of the scratch image and its provenance is uploaded there.
        var uploads = await EngineWarmUp.PushAsync(WarmUpFolder, TestContext.Current.CancellationToken);

        Assert.True(uploads >= 3, $"{uploads} uploads");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_warm_up_registry_answers_as_a_registry_that_holds_nothing()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var registry = WarmUpRegistry.TryStart();
        Assert.NotNull(registry);
        using var client = new HttpClient { BaseAddress = new Uri("http://" + registry.Host) };

        using var ping = await client.GetAsync("/v2/", cancellation);
        using var blob = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/a/blobs/sha256:00"), cancellation);
        using var manifest = await client.PutAsync("/v2/a/manifests/latest", new StringContent("{}"), cancellation);

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
        Assert.Equal(HttpStatusCode.Created, manifest.StatusCode);
        Assert.Equal("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", Assert.Single(manifest.Headers.GetValues("Docker-Content-Digest")));
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
