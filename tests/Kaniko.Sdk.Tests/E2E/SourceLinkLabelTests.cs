using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// A project in a real git repository (made here: <c>git init</c>, a commit, an <c>origin</c> remote) that opts in with
/// <c>PublishRepositoryUrl</c>: SourceLink's repository URL and commit become the <c>org.opencontainers.image.source</c>
/// and <c>revision</c> labels, the values the .NET SDK's own <c>ComputeContainerConfig</c> gives for the same project.
/// The image is built <c>FROM scratch</c>: no base image is needed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("Category", "Integration")]
public sealed class SourceLinkLabelTests(RegistryFixture registry, PackedSdkFeed feed)
{
    private const string Source = "org.opencontainers.image.source";
    private const string Revision = "org.opencontainers.image.revision";

    [Fact]
    public async Task SourceLink_properties_give_the_source_and_revision_labels_the_dotnet_SDK_gives()
    {
        TestRequirements.Executable("skopeo");
        Assert.Null(feed.Failure);
        var cancellationToken = TestContext.Current.CancellationToken;
        using var project = new TestProject(feed, "sourcelink", "FROM scratch\nCOPY . /app\n", """
              <PropertyGroup>
                <PublishRepositoryUrl>true</PublishRepositoryUrl>
              </PropertyGroup>
            """);
        await TestGit.RunAsync(project.Directory, cancellationToken, "init", "-q");
        await TestGit.RunAsync(project.Directory, cancellationToken, "remote", "add", "origin", "https://git.example.com/team/sourcelink.git");
        await TestGit.RunAsync(project.Directory, cancellationToken, "add", "-A");
        await TestGit.RunAsync(project.Directory, cancellationToken, "commit", "-q", "-m", "the app");
        var commit = (await TestGit.RunAsync(project.Directory, cancellationToken, "rev-parse", "HEAD")).Trim();

        var published = await project.PublishAsync(["KanikoPush=true", "KanikoRegistry=" + registry.Host, "KanikoInsecure=true", "KanikoRepository=parity/sourcelink", "KanikoTags=t"]);

        Assert.True(published.ExitCode == 0, published.Output);
        var labels = (await ImageRunner.ConfigAsync(registry.Host + "/parity/sourcelink:t")).GetProperty("Labels");
        Assert.Equal(commit, labels.GetProperty(Revision).GetString());
        Assert.Equal("https://git.example.com/team/sourcelink", labels.GetProperty(Source).GetString());

        // The .NET SDK's labels for the same project, as its targets compute them (no image needed for that).
        var computed = await DotnetCli.RunAsync(
            project.Directory,
            ["build", "-c", "Release", "--disable-build-servers", "-nologo", "-t:Build;ComputeContainerConfig", "-getItem:ContainerLabel"],
            TimeSpan.FromMinutes(5));
        Assert.True(computed.ExitCode == 0, computed.Output);
        var expected = System.Text.Json.JsonDocument.Parse(computed.Output[computed.Output.IndexOf('{', StringComparison.Ordinal)..]).RootElement
            .GetProperty("Items").GetProperty("ContainerLabel").EnumerateArray()
            .ToDictionary(l => l.GetProperty("Identity").GetString()!, l => l.GetProperty("Value").GetString());
        Assert.Equal(expected[Source], labels.GetProperty(Source).GetString());
        Assert.Equal(expected[Revision], labels.GetProperty(Revision).GetString());
    }
}
