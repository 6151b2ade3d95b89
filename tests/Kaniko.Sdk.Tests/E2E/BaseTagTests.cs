using System.IO.Compression;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// A project with a Dockerfile of its own: the generated labels still go on its image, a <c>Container*</c> property
/// the Dockerfile decides is a warning, a moved base tag is rebuilt, and <c>dotnet clean</c> removes what the targets
/// wrote. Also what the package holds, the error of an MSBuild that cannot run the tasks, and the tasks in the
/// out-of-process .NET task host.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BaseTagTests(RegistryFixture registry, PackedSdkFeed feed)
{
    [Fact]
    public async Task A_moved_base_tag_is_rebuilt_labels_are_generated_and_clean_removes_the_state()
    {
        TestRequirements.Executable("skopeo");
        Assert.Null(feed.Failure);
        var aspnet = await SharedBaseImages.AspnetAsync(registry);
        var moving = registry.Host + "/parity/base:moving";
        await CopyAsync(aspnet, moving);
        using var project = new TestProject(feed, "basetag", $$"""
            FROM {{moving}}
            WORKDIR /app
            COPY . .
            ENTRYPOINT ["dotnet", "basetag.dll"]
            """, """
              <PropertyGroup>
                <ContainerUser>1000</ContainerUser>
                <Version>2.1.0</Version>
                <SOURCE_DATE_EPOCH>1700000000</SOURCE_DATE_EPOCH>
                <ContainerImageFormat>Docker</ContainerImageFormat>
              </PropertyGroup>
            """);
        string[] properties = ["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true", "KanikoRepository=parity/basetag", "KanikoTags=t"];

        var first = await project.PublishAsync(properties);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("warning KANIKO6023: ContainerUser is not applied", first.Output, StringComparison.Ordinal);
        var labels = (await ImageRunner.ConfigAsync(registry.Host + "/parity/basetag:t")).GetProperty("Labels");
        Assert.Equal(moving, labels.GetProperty("org.opencontainers.image.base.name").GetString());
        Assert.Equal("2.1.0", labels.GetProperty("org.opencontainers.image.version").GetString());
        Assert.Equal("2023-11-14T22:13:20.0000000Z", labels.GetProperty("org.opencontainers.image.created").GetString());
        var firstBase = labels.GetProperty("org.opencontainers.image.base.digest").GetString();
        // ContainerImageFormat=Docker on an OCI base: a Docker manifest with Docker layer types throughout. The tag names
        // the OCI index that holds it beside its default provenance (an attestation manifest is always OCI).
        var raw = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/parity/basetag:t"], TestContext.Current.CancellationToken);
        var index = System.Text.Json.JsonDocument.Parse(raw.StandardOutput).RootElement;
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        var image = index.GetProperty("manifests")[0].GetProperty("digest").GetString();
        raw = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/parity/basetag@{image}"], TestContext.Current.CancellationToken);
        var manifest = System.Text.Json.JsonDocument.Parse(raw.StandardOutput).RootElement;
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", manifest.GetProperty("mediaType").GetString());
        Assert.All(manifest.GetProperty("layers").EnumerateArray(), l => Assert.StartsWith("application/vnd.docker.image.rootfs", l.GetProperty("mediaType").GetString(), StringComparison.Ordinal));

        var unchanged = await project.PublishAsync(properties);
        Assert.True(unchanged.ExitCode == 0, unchanged.Output);
        Assert.Contains("is up to date", unchanged.Output, StringComparison.Ordinal);

        // The same content under another manifest format: the tag now names another digest, as after a base image patch.
        await CopyAsync(aspnet + "-v2s2", moving);
        var moved = await project.PublishAsync(properties);

        Assert.True(moved.ExitCode == 0, moved.Output);
        Assert.Contains("Pushed image", moved.Output, StringComparison.Ordinal);
        var movedBase = (await ImageRunner.ConfigAsync(registry.Host + "/parity/basetag:t")).GetProperty("Labels").GetProperty("org.opencontainers.image.base.digest").GetString();
        Assert.NotEqual(firstBase, movedBase);

        var kaniko = Path.Combine(project.Directory, "obj", "Release", "net10.0", "kaniko");
        Assert.True(File.Exists(Path.Combine(kaniko, "state.txt")));
        var clean = await DotnetCli.RunAsync(project.Directory, ["clean", "-c", "Release", "--disable-build-servers", "-nologo"], TimeSpan.FromMinutes(3));
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.Empty(Directory.Exists(kaniko) ? Directory.GetFiles(kaniko, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public async Task An_SDK_older_than_10_is_one_clear_KANIKO6025_error_not_a_type_load_failure()
    {
        Assert.Null(feed.Failure);
        using var project = new TestProject(feed, "oldsdk", dockerfile: null);

        var result = await DotnetCli.RunAsync(
            project.Directory, ["msbuild", "-restore", "-t:KanikoBuildImage", "-p:NETCoreSdkVersion=9.0.100", "-nologo"], TimeSpan.FromMinutes(3));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("error KANIKO6025: Kaniko.Sdk needs the .NET 10 SDK", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4062", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MSB4018", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_tasks_run_in_the_out_of_process_NET_task_host_a_NET_Framework_MSBuild_uses()
    {
        Assert.Null(feed.Failure);
        using var project = new TestProject(feed, "taskhost", dockerfile: null);

        // What Visual Studio's MSBuild gets (Runtime="NET" with TaskHostFactory), asked for in the .NET MSBuild.
        var result = await DotnetCli.RunAsync(
            project.Directory, ["msbuild", "-restore", "-t:KanikoGenerateDockerfile", "-p:_KanikoTasksOutOfProcess=true", "-nologo", "-v:d"], TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("Launching task \"GenerateKanikoDockerfile\" from assembly", result.Output, StringComparison.Ordinal);
        Assert.Contains("in an external task host with a runtime of \"NET\"", result.Output, StringComparison.Ordinal);
        var dockerfile = Assert.Single(Directory.GetFiles(Path.Combine(project.Directory, "obj"), "Dockerfile", SearchOption.AllDirectories));
        Assert.Contains("taskhost.dll", await File.ReadAllTextAsync(dockerfile, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public void The_package_holds_the_targets_and_the_task_folder_and_nothing_of_MSBuilds_own()
    {
        Assert.Null(feed.Failure);
        using var package = ZipFile.OpenRead(Assert.Single(Directory.GetFiles(feed.Directory, "Kaniko.Sdk.*.nupkg")));
        var entries = package.Entries.Select(e => e.FullName).Where(n => !n.StartsWith("package/", StringComparison.Ordinal) && !n.StartsWith("_rels/", StringComparison.Ordinal) && n != "[Content_Types].xml").ToList();

        foreach (var expected in new[]
        {
            "Kaniko.Sdk.nuspec", "Sdk/Sdk.props", "Sdk/Sdk.targets", "build/Kaniko.Sdk.props", "build/Kaniko.Sdk.targets",
            "build/Kaniko.Sdk.Labels.targets", "tasks/net10.0/Kaniko.Tasks.dll", "tasks/net10.0/Kaniko.Tasks.deps.json", "tasks/net10.0/Kaniko.Engine.dll",
        })
        {
            Assert.Contains(expected, entries);
        }

        Assert.All(entries, e => Assert.True(
            e.StartsWith("Sdk/", StringComparison.Ordinal) || e.StartsWith("build/", StringComparison.Ordinal) || e.StartsWith("tasks/net10.0/", StringComparison.Ordinal)
            || e is "Kaniko.Sdk.nuspec" or "README.md" or "LICENSE",
            e));
        Assert.DoesNotContain(entries, e => e.Contains("Microsoft.Build", StringComparison.Ordinal) || e.EndsWith(".pdb", StringComparison.Ordinal));
    }

    private static Task CopyAsync(string source, string destination) =>
        Skopeo.RunCheckedAsync(["copy", "--src-tls-verify=false", "--dest-tls-verify=false", "docker://" + source, "docker://" + destination]);
}
