using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Tests.Execution;

public sealed class TargetPlatformsTests
{
    [Fact]
    public void No_platform_means_this_machine() => Assert.Empty(KanikoBuilder.TargetPlatforms(new BuildRequest()));

    [Fact]
    public void The_single_platform_is_used_when_no_list_is_given() =>
        Assert.Equal(["linux/arm64"], KanikoBuilder.TargetPlatforms(new BuildRequest { Platform = "linux/aarch64" }).Select(p => p.ToString()));

    [Fact]
    public void The_list_replaces_the_single_platform_splits_commas_and_drops_repeats_in_order()
    {
        var request = new BuildRequest
        {
            Platform = "linux/s390x",
            Platforms = ["linux/arm64,linux/amd64", "linux/arm64/v8", " linux/arm/v7 ", "linux/x86_64"],
        };

        Assert.Equal(["linux/arm64", "linux/amd64", "linux/arm/v7"], KanikoBuilder.TargetPlatforms(request).Select(p => p.ToString()));
    }

    [Fact]
    public void A_malformed_entry_is_an_error()
    {
        var e = Assert.Throws<KanikoException>(() => KanikoBuilder.TargetPlatforms(new BuildRequest { Platforms = ["linux/amd64,linux//arm64"] }));
        Assert.Equal(DiagnosticCodes.InvalidPlatform, e.Code);
    }
}
