using System.Text;
using Kaniko.Engine.Execution.Build;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary><c>--custom-platform</c>/<c>--platform</c> with several platforms: comma-separated or repeated.</summary>
public sealed class MultiPlatformFlagTests : IDisposable
{
    private const string Dockerfile = "FROM scratch\nARG TARGETARCH\nCOPY app.txt /app-$TARGETARCH.txt\n";

    private const string TwoPlans =
        "platform linux/amd64:\n" +
        "[stage 1/1 stage-0] FROM scratch\n" +
        "  ARG TARGETARCH=amd64\n" +
        "  COPY app.txt /app-amd64.txt\n" +
        "platform linux/arm64:\n" +
        "[stage 1/1 stage-0] FROM scratch\n" +
        "  ARG TARGETARCH=arm64\n" +
        "  COPY app.txt /app-arm64.txt\n";

    private readonly TempDirectory _temp = new("kaniko-cli-platforms-");

    public MultiPlatformFlagTests()
    {
        File.WriteAllBytes(Path.Combine(_temp.Path, "Dockerfile"), Encoding.UTF8.GetBytes(Dockerfile));
        File.WriteAllBytes(Path.Combine(_temp.Path, "app.txt"), "hello\n"u8.ToArray());
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("--custom-platform", "linux/amd64,linux/arm64")]
    [InlineData("--platform", "linux/amd64, linux/arm64")]
    [InlineData("--platform", "linux/amd64,linux/arm64,linux/arm64/v8,linux/x86_64")]
    public void A_comma_separated_list_plans_each_platform_once(string option, string value)
    {
        var (exitCode, output, error) = Run("build", "--dry-run", "--context", _temp.Path, option, value);

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        Assert.Equal(TwoPlans, output);
    }

    [Fact]
    public void A_repeated_option_plans_each_platform_in_order()
    {
        var (exitCode, output, error) = Run("build", "--dry-run", "--context", _temp.Path, "--platform", "linux/amd64", "--custom-platform", "linux/arm64");

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        Assert.Equal(TwoPlans, output);
    }

    [Fact]
    public void One_platform_prints_one_plan_without_a_heading()
    {
        var (exitCode, output, _) = Run("build", "--dry-run", "--context", _temp.Path, "--platform", "linux/arm64,linux/arm64/v8");

        Assert.Equal(0, exitCode);
        Assert.Equal("[stage 1/1 stage-0] FROM scratch\n  ARG TARGETARCH=arm64\n  COPY app.txt /app-arm64.txt\n", output);
    }

    [Fact]
    public void A_malformed_entry_of_the_list_is_a_usage_error()
    {
        var (exitCode, _, error) = Run("build", "--dry-run", "--context", _temp.Path, "--platform", "linux/amd64,linux//arm64");

        Assert.Equal(2, exitCode);
        Assert.Contains("[KANIKO3005]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tarball_with_several_platforms_is_refused_before_building()
    {
        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push", "--tar-path", Path.Combine(_temp.Path, "image.tar"),
            "--platform", "linux/amd64,linux/arm64");

        Assert.Equal(2, exitCode);
        Assert.Contains("--tar-path", error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO5006]", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_temp.Path, "image.tar")));
    }

    [Fact]
    public void A_run_in_a_stage_of_a_foreign_platform_without_an_emulator_names_the_missing_handler()
    {
        if (new PlatformEmulation().CanRun(Kaniko.Engine.Oci.Platform.Parse("linux/s390x"), Kaniko.Engine.Oci.Platform.DefaultBuildTarget))
        {
            Assert.Skip("this machine can run linux/s390x programs (native or a qemu-s390x binfmt handler)");
        }

        File.WriteAllBytes(Path.Combine(_temp.Path, "Dockerfile"), "FROM --platform=linux/s390x scratch\nCOPY app.txt /\nRUN true\n"u8.ToArray());

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push");

        Assert.Equal(3, exitCode);
        Assert.Contains("Dockerfile:3: RUN in a stage for linux/s390x", error, StringComparison.Ordinal);
        Assert.Contains("qemu-s390x", error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO4304]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_in_a_build_platform_stage_is_not_a_platform_error()
    {
        File.WriteAllBytes(Path.Combine(_temp.Path, "Dockerfile"), "FROM --platform=$BUILDPLATFORM scratch\nRUN true\n"u8.ToArray());

        var (exitCode, _, error) = Run("build", "--context", _temp.Path, "--no-push", "--platform", "linux/s390x,linux/arm64");

        Assert.Equal(1, exitCode);
        Assert.Contains("[KANIKO4302]", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
