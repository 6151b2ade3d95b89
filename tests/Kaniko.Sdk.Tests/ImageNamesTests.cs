using Kaniko.Engine.Diagnostics;
using Kaniko.Tasks;

namespace Kaniko.Sdk.Tests;

public class ImageNamesTests
{
    [Theory]
    [InlineData("1.4.2", "1.4.2;1.4;1;latest")]
    [InlineData("1.0.0", "1.0.0;1.0;1;latest")]
    [InlineData("2.3", "2.3.0;2.3;2;latest")]
    [InlineData("1.4.2.7", "1.4.2.7;1.4;1;latest")]
    [InlineData("1.4.2+build.5", "1.4.2;1.4;1;latest")]
    [InlineData("2.0.0-beta.1", "2.0.0-beta.1")]
    [InlineData("2.0.0-rc.2+sha.abc", "2.0.0-rc.2")]
    [InlineData("", "latest")]
    [InlineData("not a version", "latest")]
    public void Tags_follow_the_version(string version, string expected) =>
        Assert.Equal(expected.Split(';'), ImageNames.TagsFromVersion(version));

    [Theory]
    [InlineData("Hello", "hello")]
    [InlineData("My.Web_App", "my.web_app")]
    [InlineData("Hello World!", "hello-world")]
    [InlineData("_Leading..Dots--", "leading.dots")]
    [InlineData("App+Ümlaut", "app-mlaut")]
    public void Repository_is_the_assembly_name_made_valid(string assemblyName, string expected) =>
        Assert.Equal(expected, ImageNames.RepositoryFromAssemblyName(assemblyName));

    [Fact]
    public void Destinations_are_one_reference_per_tag() =>
        Assert.Equal(
            ["127.0.0.1:5000/team/app:1.4.2", "127.0.0.1:5000/team/app:latest"],
            ImageNames.Destinations("127.0.0.1:5000", "team/app", ["1.4.2", "latest"]).Select(r => r.ToString()));

    [Theory]
    [InlineData("Team/App", "1.0", "repository")]
    [InlineData("team/app", "bad tag", "tag")]
    public void A_bad_name_is_KANIKO6002(string repository, string tag, string part)
    {
        var error = Assert.Throws<KanikoException>(() => ImageNames.Destinations("127.0.0.1:5000", repository, [tag]));
        Assert.Equal(DiagnosticCodes.MSBuildInvalidImageName, error.Code);
        Assert.StartsWith(part + " ", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linux-x64", "linux/amd64")]
    [InlineData("linux-musl-x64", "linux/amd64")]
    [InlineData("linux-arm64", "linux/arm64")]
    [InlineData("linux-arm", "linux/arm/v7")]
    public void Runtime_identifiers_map_to_platforms(string rid, string platform) =>
        Assert.Equal(platform, RuntimePlatforms.ToPlatform(rid));

    [Theory]
    [InlineData("win-x64")]
    [InlineData("osx-arm64")]
    [InlineData("linux-mips")]
    public void Other_runtime_identifiers_are_KANIKO6005(string rid) =>
        Assert.Equal(DiagnosticCodes.MSBuildUnknownRuntimeIdentifier, Assert.Throws<KanikoException>(() => RuntimePlatforms.ToPlatform(rid)).Code);
}
