using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Mounts;

namespace Kaniko.Engine.Tests.Execution.Mounts;

/// <summary>Mount targets: a relative one is read from the working directory, as BuildKit does.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RunMountTargetTests
{
    [Theory]
    [InlineData("/root/.cache", "/app", "/root/.cache")]
    [InlineData("cache", "/app", "/app/cache")]
    [InlineData("./a/../b/", "/app", "/app/b")]
    [InlineData("/x/../y", "/", "/y")]
    public void Target_IsAbsoluteAndClean(string target, string workingDirectory, string expected)
    {
        Assert.Equal(expected, RunMountPreparer.Target(target, workingDirectory));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("..")]
    [InlineData("/a/..")]
    public void Target_OfRoot_IsRefused(string target)
    {
        var error = Assert.Throws<KanikoException>(() => RunMountPreparer.Target(target, "/"));

        Assert.Equal(DiagnosticCodes.MountTargetInvalid, error.Code);
    }
}
