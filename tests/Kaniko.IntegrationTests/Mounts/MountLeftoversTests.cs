using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Mounts;

/// <summary>The guard before a step's snapshot: a mount left in the rootfs is detached and named.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MountLeftoversTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public void A_mount_left_in_the_rootfs_is_detached_and_reported()
    {
        using var rootFs = new TempDirectory("kaniko-leftover-");
        var target = rootFs.Combine("run", "secrets");
        Directory.CreateDirectory(target);
        if (LibC.Mount("tmpfs", target, "tmpfs", 0, "size=1m") is var errno and not 0)
        {
            Assert.Skip("mounting is not permitted here: " + LibC.Describe(errno));
        }

        var left = MountLeftovers.Detach(rootFs.Path);
        var error = MountLeftovers.Error("RUN true", left!, SourceRange.Line("Dockerfile", 3));

        Assert.Equal("/run/secrets", left);
        Assert.Empty(RootFsCleanup.MountPointsBelow(rootFs.Path));
        Assert.Null(MountLeftovers.Detach(rootFs.Path));
        Assert.Equal(DiagnosticCodes.MountLeftBehind, error.Code);
        Assert.StartsWith("Dockerfile:3: RUN true: /run/secrets was still mounted", error.Message, StringComparison.Ordinal);
    }
}
