using System.Text.RegularExpressions;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// <c>dotnet publish -p:KanikoPush=true</c> on real projects against a real registry: the package as users get
/// it (packed, restored from a feed), the image checked with skopeo and run from its unpacked files.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class PublishTests(RegistryFixture registry, PackedSdkFeed feed)
{
    [Fact]
    public async Task A_web_app_with_a_Dockerfile_is_pushed_with_the_version_tags_serves_Hello_and_is_not_built_twice()
    {
        var aspnet = await PrepareAspnetAsync();
        using var project = new TestProject(feed, "hello", $$"""
            FROM {{aspnet}}
            WORKDIR /app
            COPY . .
            USER $APP_UID
            ENTRYPOINT ["dotnet", "hello.dll"]
            """);
        string[] properties = ["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true", "KanikoRepository=e2e/hello", "Version=1.4.2"];

        var first = await project.PublishAsync(properties, arguments: ["-v:n"]);

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"Pushed image {registry.Host}/e2e/hello:1.4.2@sha256:", first.Output, StringComparison.Ordinal);
        // The engine's warm-up starts once the compiler has run, and only then.
        Assert.Contains("Warming the image step up in the background", first.Output, StringComparison.Ordinal);
        Assert.Equal(["1", "1.4", "1.4.2", "latest"], (await ImageRunner.TagsAsync(registry.Host + "/e2e/hello")).Order(StringComparer.Ordinal));
        using var work = new TempDirectory("kaniko-sdk-run-");
        Assert.Equal("Hello", await ImageRunner.GetRootInSandboxAsync(registry.Host + "/e2e/hello:1.4.2", work.Path));

        var second = await project.PublishAsync(properties, arguments: ["-v:n"]);

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("is up to date (inputs unchanged and sha256:", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Pushed image", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Warming the image step up", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_Dockerfile_the_generated_one_takes_the_MNBC_properties()
    {
        var aspnet = await PrepareAspnetAsync();
        using var project = new TestProject(feed, "fallbacks", dockerfile: null, $"""
              <PropertyGroup>
                <ContainerBaseImage>{aspnet}</ContainerBaseImage>
                <ContainerRegistry>{registry.Host}</ContainerRegistry>
                <ContainerRepository>e2e/fallbacks</ContainerRepository>
                <ContainerImageTags>a1;b2</ContainerImageTags>
                <ContainerUser>1000</ContainerUser>
                <ContainerWorkingDirectory>/srv/app</ContainerWorkingDirectory>
              </PropertyGroup>
              <ItemGroup>
                <ContainerEnvironmentVariable Include="GREETING" Value="hi there" />
                <ContainerPort Include="8080" Type="tcp" />
                <ContainerLabel Include="org.example.team" Value="sdk" />
                <KanikoLabel Include="org.example.built-by" Value="kaniko" />
              </ItemGroup>
            """);

        // The registry is plain HTTP: trusted through MNBC's variable, as a project moving from MNBC has it set.
        var result = await project.PublishAsync(["KanikoPush=true"], new Dictionary<string, string> { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry.Host });

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["a1", "b2"], (await ImageRunner.TagsAsync(registry.Host + "/e2e/fallbacks")).Order(StringComparer.Ordinal));
        var config = await ImageRunner.ConfigAsync(registry.Host + "/e2e/fallbacks:a1");
        Assert.Equal("1000", config.GetProperty("User").GetString());
        Assert.Equal("/srv/app", config.GetProperty("WorkingDir").GetString());
        Assert.Equal(["dotnet", "/srv/app/fallbacks.dll"], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("GREETING=hi there", config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Equal("sdk", config.GetProperty("Labels").GetProperty("org.example.team").GetString());
        Assert.Equal("kaniko", config.GetProperty("Labels").GetProperty("org.example.built-by").GetString());
        Assert.True(File.Exists(Path.Combine(project.Directory, "obj", "Release", "net10.0", "kaniko", "Dockerfile")));
        using var work = new TempDirectory("kaniko-sdk-run-");
        Assert.Equal("Hello", await ImageRunner.GetRootInSandboxAsync(registry.Host + "/e2e/fallbacks:a1", work.Path));
    }

    [Fact]
    public async Task A_Dockerfile_error_is_an_MSBuild_error_at_its_line()
    {
        var busybox = await PrepareAsync();
        using var project = new TestProject(feed, "broken", $"FROM {busybox}\nWORKDIR /app\nFROBNICATE . .\n");

        var result = await project.PublishAsync(["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true"]);

        Assert.NotEqual(0, result.ExitCode);
        var dockerfile = Regex.Escape(Path.Combine(project.Directory, "Dockerfile"));
        Assert.Matches(new Regex("(?m)^" + dockerfile + @"\(3\): error KANIKO1101: .*FROBNICATE"), result.Output);
    }

    [Fact]
    public async Task Several_runtime_identifiers_give_one_publish_and_one_image_each_in_one_index()
    {
        await PrepareAsync();
        var multi = await BaseImages.PushBusyboxMultiAsync(registry, TestContext.Current.CancellationToken);
        using var project = new TestProject(feed, "multirid", dockerfile: null, $"""
              <PropertyGroup>
                <ContainerBaseImage>{multi.Reference}</ContainerBaseImage>
                <ContainerRuntimeIdentifiers>linux-x64;linux-arm64</ContainerRuntimeIdentifiers>
                <ContainerUser>0</ContainerUser>
                <UseAppHost>false</UseAppHost>
              </PropertyGroup>
            """);

        var result = await project.PublishAsync(["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true", "KanikoRepository=e2e/multirid"]);

        Assert.True(result.ExitCode == 0, result.Output);
        var raw = await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/e2e/multirid:latest"], TestContext.Current.CancellationToken);
        var index = System.Text.Json.JsonDocument.Parse(raw.StandardOutput).RootElement;
        // Each image has its default provenance beside it, in an attestation manifest for unknown/unknown.
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        static bool IsAttestation(System.Text.Json.JsonElement m) => m.TryGetProperty("annotations", out var a) && a.TryGetProperty("vnd.docker.reference.type", out _);
        Assert.Equal(2, entries.Count(IsAttestation));
        Assert.Equal(
            ["linux/amd64", "linux/arm64"],
            entries.Where(m => !IsAttestation(m))
                .Select(m => m.GetProperty("platform"))
                .Select(p => p.GetProperty("os").GetString() + "/" + p.GetProperty("architecture").GetString())
                .Order(StringComparer.Ordinal));
        foreach (var platform in new[] { "linux/amd64", "linux/arm64" })
        {
            Assert.True(File.Exists(Path.Combine(project.Directory, "obj", "Release", "net10.0", "kaniko", "rids", platform, "multirid.dll")), platform);
        }

        using var work = new TempDirectory("kaniko-sdk-run-");
        // The multi-platform base is busybox (no .NET inside): the machine's dotnet runs the app's files.
        Assert.Equal("Hello", await ImageRunner.GetRootWithHostDotnetAsync($"{registry.Host}/e2e/multirid:latest", work.Path));
    }

    [Fact]
    public async Task The_tasks_run_precompiled_and_no_method_of_theirs_is_JIT_compiled()
    {
        // The package ships the tasks ReadyToRun; crossgen2 needs MSBuild's assemblies to compile the methods that
        // name MSBuild types (the task classes), and without them it left those out silently (docs/sdk.md, The package).
        var busybox = await PrepareAsync();
        using var project = new TestProject(feed, "precompiled", $"FROM {busybox}\nWORKDIR /app\nCOPY . .\n");
        var jitLog = Path.Combine(project.Directory, "jit.txt");

        var result = await project.PublishAsync(
            ["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true", "KanikoRepository=e2e/precompiled"],
            new Dictionary<string, string> { ["DOTNET_JitStdOutFile"] = jitLog, ["DOTNET_JitDisasmSummary"] = "1" });

        Assert.True(result.ExitCode == 0, result.Output);
        var compiled = File.ReadAllLines(jitLog);
        Assert.Contains(compiled, line => line.Contains("JIT compiled Kaniko.Engine", StringComparison.Ordinal) || line.Contains("[Kaniko.", StringComparison.Ordinal));
        Assert.DoesNotContain(compiled, line => line.Contains("JIT compiled Kaniko.Tasks.", StringComparison.Ordinal));
    }

    private async Task<string> PrepareAsync()
    {
        TestRequirements.Executable("skopeo");
        if (feed.Failure is { } failure)
        {
            Assert.Fail(failure);
        }

        return (await BaseImages.PushBusyboxAsync(registry)).Reference;
    }

    // The .NET base (Debian plus this machine's ASP.NET Core runtime), pushed once for every test of the run.
    private async Task<string> PrepareAspnetAsync()
    {
        await PrepareAsync();
        return await SharedBaseImages.AspnetAsync(registry);
    }
}
