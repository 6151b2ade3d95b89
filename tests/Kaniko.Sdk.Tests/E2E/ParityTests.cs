using System.Text.Json;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// The switch from the .NET SDK's container support loses nothing: fresh <c>dotnet new web</c> and
/// <c>dotnet new worker</c> projects published with <c>/t:PublishContainer</c> and with Kaniko.Sdk (its generated
/// Dockerfile) give the same image config, field by field; with no registry the image lands in podman; the .NET
/// SDK's credential variables push to an authenticated registry.
/// </summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ParityTests(RegistryFixture registry, PackedSdkFeed feed, ParityProjects projects, PlainHttpTokenAuthRegistryFixture privateRegistry)
    : IClassFixture<ParityProjects>, IClassFixture<PlainHttpTokenAuthRegistryFixture>
{
    /// <summary>The web project's image-shaping properties and items.</summary>
    internal static string WebBody(string baseImage) => $"""
          <PropertyGroup>
            <ContainerBaseImage>{baseImage}</ContainerBaseImage>
            <ContainerWorkingDirectory>/srv/web/</ContainerWorkingDirectory>
            <ContainerVendor>Kaniko tests</ContainerVendor>
            <ContainerImageTag>parity</ContainerImageTag>
          </PropertyGroup>
          <ItemGroup>
            <ContainerEnvironmentVariable Include="GREETING" Value="hi there" />
            <ContainerPort Include="8080" Type="tcp" />
            <ContainerPort Include="5353" Type="udp" />
            <ContainerLabel Include="org.example.team" Value="sdk" />
            <ContainerAppCommandArgs Include="--contentRoot=/srv/web" />
            <ContainerDefaultArgs Include="--verbose" />
          </ItemGroup>
        """;

    /// <summary>The worker project's: a user, an entrypoint of its own (the app command becomes the CMD) and metadata labels.</summary>
    internal static string WorkerBody(string baseImage) => $"""
          <PropertyGroup>
            <ContainerBaseImage>{baseImage}</ContainerBaseImage>
            <ContainerUser>1000</ContainerUser>
            <ContainerTitle>Parity worker</ContainerTitle>
            <ContainerLicenseExpression>MIT</ContainerLicenseExpression>
            <PackageProjectUrl>https://example.invalid/worker</PackageProjectUrl>
            <ContainerImageTag>parity</ContainerImageTag>
          </PropertyGroup>
          <ItemGroup>
            <ContainerEntrypoint Include="/usr/bin/env" />
            <ContainerEntrypoint Include="DOTNET_gcServer=0" />
          </ItemGroup>
        """;

    [Fact]
    public async Task A_fresh_web_project_gets_the_image_config_PublishContainer_gives()
    {
        var project = await projects.WebAsync(feed, await PrepareAsync(DotnetImageFlavor.Aspnet));
        await AssertSameConfigAsync(project, "parity/web");
        Assert.Contains("ENTRYPOINT [\"dotnet\",\"/srv/web/parityweb.dll\",\"--contentRoot=/srv/web\"]", await GeneratedDockerfileAsync(project), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_worker_project_with_a_PackageReference_gets_the_image_config_PublishContainer_gives()
    {
        var project = await projects.WorkerAsync(feed, await PrepareAsync(DotnetImageFlavor.Runtime));
        await AssertSameConfigAsync(project, "parity/worker");
        Assert.Contains("CMD [\"dotnet\",\"/app/parityworker.dll\"]", await GeneratedDockerfileAsync(project), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_registry_the_image_is_loaded_into_podman_and_an_archive_path_writes_an_archive_instead()
    {
        TestRequirements.Executable("podman");
        var project = await projects.WebAsync(feed, await PrepareAsync(DotnetImageFlavor.Aspnet));
        var name = "parity/local:" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var loaded = await project.PublishAsync(["KanikoPush=true", "ContainerRepository=parity/local", "ContainerImageTag=" + name.Split(':')[1]], Insecure());

            Assert.True(loaded.ExitCode == 0, loaded.Output);
            Assert.Contains("into the local podman", loaded.Output, StringComparison.Ordinal);
            var images = await ExternalTools.RunCheckedAsync("podman", ["images", "--format", "{{.Repository}}:{{.Tag}}"], cancellationToken: TestContext.Current.CancellationToken);
            Assert.Contains(images.StandardOutput.Split('\n'), line => line.Trim().EndsWith(name, StringComparison.Ordinal));
        }
        finally
        {
            await ExternalTools.RunAsync("podman", ["rmi", "--force", name], cancellationToken: TestContext.Current.CancellationToken);
        }

        var archives = Path.Combine(project.Directory, "archives") + Path.DirectorySeparatorChar;
        var archived = await project.PublishAsync(["KanikoPush=true", "ContainerRepository=parity/archive", "ContainerArchiveOutputPath=" + archives], Insecure());

        Assert.True(archived.ExitCode == 0, archived.Output);
        Assert.True(File.Exists(Path.Combine(archives, "parity", "archive.tar.gz")), archived.Output);
        Assert.DoesNotContain("into the local", archived.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dotnet_SDKs_credential_variables_push_to_an_authenticated_registry()
    {
        var project = await projects.WorkerAsync(feed, await PrepareAsync(DotnetImageFlavor.Runtime));
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry.Host + "," + privateRegistry.Host,
            ["DOTNET_CONTAINER_REGISTRY_UNAME"] = privateRegistry.Username,
            ["DOTNET_CONTAINER_REGISTRY_PWORD"] = privateRegistry.Password,
        };

        var result = await project.PublishAsync(["KanikoPush=true", "ContainerRegistry=" + privateRegistry.Host, "ContainerRepository=private/worker"], environment);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"Pushed image {privateRegistry.Host}/private/worker:parity@sha256:", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(privateRegistry.Password, result.Output, StringComparison.Ordinal);
        var inspect = await Skopeo.RunAsync(["inspect", "--tls-verify=false", "--creds", privateRegistry.Credentials, $"docker://{privateRegistry.Host}/private/worker:parity"], TestContext.Current.CancellationToken);
        Assert.Equal(0, inspect.ExitCode);
    }

    // Publishes the project with /t:PublishContainer and with Kaniko.Sdk, each to its own repository, and compares
    // the two image configs field by field; only the build time may differ.
    private async Task AssertSameConfigAsync(FreshProject project, string repository)
    {
        var mnbc = await project.PublishAsync(["ContainerRegistry=" + registry.Host, "ContainerRepository=" + repository + "-mnbc"], Insecure(), "/t:PublishContainer");
        Assert.True(mnbc.ExitCode == 0, mnbc.Output);
        var ours = await project.PublishAsync(["KanikoPush=true", "ContainerRegistry=" + registry.Host, "ContainerRepository=" + repository + "-kaniko"], Insecure());
        Assert.True(ours.ExitCode == 0, ours.Output);

        var expected = await ImageRunner.ConfigAsync($"{registry.Host}/{repository}-mnbc:parity");
        var actual = await ImageRunner.ConfigAsync($"{registry.Host}/{repository}-kaniko:parity");
        foreach (var field in new[] { "Entrypoint", "Cmd", "User", "WorkingDir" })
        {
            Assert.Equal(Field(expected, field), Field(actual, field));
        }

        Assert.Equal(Words(expected, "Env").Order(StringComparer.Ordinal), Words(actual, "Env").Order(StringComparer.Ordinal));
        Assert.Equal(Keys(expected, "ExposedPorts"), Keys(actual, "ExposedPorts"));
        Assert.Equal(Labels(expected), Labels(actual));
        Assert.True(actual.GetProperty("Labels").TryGetProperty("org.opencontainers.image.created", out _));
    }

    private static async Task<string> GeneratedDockerfileAsync(FreshProject project) =>
        await File.ReadAllTextAsync(Path.Combine(project.Directory, "obj", "Release", "net10.0", "kaniko", "Dockerfile"));

    private Dictionary<string, string> Insecure() => new() { ["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = registry.Host };

    private async Task<string> PrepareAsync(DotnetImageFlavor flavor)
    {
        TestRequirements.Executable("skopeo");
        if (feed.Failure is { } failure)
        {
            Assert.Fail(failure);
        }

        return await SharedBaseImages.DotnetAsync(registry, flavor);
    }

    private static string Field(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetRawText() : "(none)";

    private static IEnumerable<string> Words(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => e.GetString()!) : [];

    private static IEnumerable<string> Keys(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)
            : [];

    // Every label with its value, the build times (which differ by nature) left out.
    private static IEnumerable<string> Labels(JsonElement config) =>
        config.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
            ? labels.EnumerateObject().Where(p => !p.Name.EndsWith(".created", StringComparison.Ordinal)).Select(p => p.Name + "=" + p.Value.GetString()).Order(StringComparer.Ordinal)
            : [];
}
