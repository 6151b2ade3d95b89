using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// <c>dotnet kaniko build</c> of a harness's context run as a throwaway user (the test is root), pushing to the test
/// registry: with subordinate ids the CLI enters a user namespace of its own and builds there as its root.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RootlessCli
{
    /// <summary>
    /// The program, arguments and environment of the build of <paramref name="build"/>'s context to
    /// <paramref name="reference"/> by <paramref name="user"/>, followed by <paramref name="extraArguments"/>. The
    /// harness's folder is opened to the user (read), and it gets a home, cache and temporary folder of its own there.
    /// </summary>
    public static async Task<(string Program, string[] Arguments, string[] Environment)> CommandAsync(
        BuildHarness build, RegistryFixture registry, ThrowawayUser user, string reference, params string[] extraArguments)
    {
        File.SetUnixFileMode(build.Path(), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var home = await user.OwnDirectoryAsync(build.Path("home-" + user.Name));
        var temp = await user.OwnDirectoryAsync(build.Path("temp-" + user.Name));
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? TestRequirements.Executable("dotnet");
        return (
            dotnet,
            [Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll"), "build", "--context", build.ContextDirectory,
             "--destination", reference, "--insecure-registry", registry.Host, "--cache-dir", Path.Combine(home, "cache"), .. extraArguments],
            ["HOME=" + home, "TMPDIR=" + temp, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NO_COLOR=1",
             "DOTNET_CLI_TELEMETRY_OPTOUT=1", "DOTNET_NOLOGO=1"]);
    }

    /// <summary>
    /// Runs the build of <see cref="CommandAsync"/> as <paramref name="user"/> in a mount namespace of the test's own in
    /// which <c>/dev/fuse</c> is a node of the same device that anyone may open, bound over the machine's (root's alone
    /// here, mode 0600, and left so): the rootless build then finds what <c>fuse-overlayfs</c> needs, as on a machine
    /// that opens FUSE to its users. The node is made in the harness's folder and goes with it.
    /// </summary>
    public static async Task<ToolResult> BuildWithOpenFuseAsync(BuildHarness build, RegistryFixture registry, ThrowawayUser user, string reference, params string[] extraArguments)
    {
        var (program, arguments, environment) = await CommandAsync(build, registry, user, reference, extraArguments);
        var device = build.Path("fuse-" + Guid.NewGuid().ToString("N")[..8]);
        await ExternalTools.RunCheckedAsync(TestRequirements.Executable("mknod"), [device, "c", "10", "229"], cancellationToken: BuildHarness.Cancellation);
        File.SetUnixFileMode(device, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        return await ExternalTools.RunAsync(
            TestRequirements.Executable("unshare"),
            ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount --bind \"$0\" /dev/fuse && exec \"$@\"", device,
             TestRequirements.Executable("setpriv"), .. user.CommandLine(program, arguments, environment)],
            TimeSpan.FromMinutes(5),
            BuildHarness.Cancellation);
    }

    /// <summary>Runs the build of <see cref="CommandAsync"/> as <paramref name="user"/> and waits for it.</summary>
    public static async Task<ToolResult> BuildAsync(BuildHarness build, RegistryFixture registry, ThrowawayUser user, string reference, params string[] extraArguments)
    {
        var (program, arguments, environment) = await CommandAsync(build, registry, user, reference, extraArguments);
        return await user.RunAsync(program, arguments, environment, BuildHarness.Cancellation);
    }
}
