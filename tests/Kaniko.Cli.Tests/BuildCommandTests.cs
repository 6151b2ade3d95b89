using System.Text;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

public sealed class BuildCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-");

    private string Context => _temp.Path;

    public void Dispose() => _temp.Dispose();

    private (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = KanikoCommandLine.Run(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    private void Write(string name, string content) =>
        File.WriteAllBytes(Path.Combine(Context, name), Encoding.UTF8.GetBytes(content));

    [Fact]
    public void Dry_run_prints_the_plan_and_exits_zero()
    {
        Write("Dockerfile", "ARG TAG=latest\nFROM busybox:$TAG AS build\nCOPY --chown=1000 app.txt /app/\n\nFROM alpine\nCOPY --from=build /app/ /app/\n");
        Write("app.txt", "hello\n");

        var (exitCode, output, error) = Run("build", "--dry-run", "--context", Context);

        Assert.Equal("", error);
        Assert.Equal(0, exitCode);
        Assert.Equal(
            "[stage 1/2 build] FROM busybox:latest AS build\n" +
            "  COPY --chown=1000 app.txt /app/\n" +
            "[stage 2/2 stage-1] FROM alpine\n" +
            "  COPY --from=build /app/ /app/\n",
            output);
    }

    [Fact]
    public void Build_args_target_platform_and_dockerfile_options_reach_the_plan()
    {
        Directory.CreateDirectory(Path.Combine(Context, "build"));
        Write("build/Custom.Dockerfile", "ARG TAG=1\nFROM alpine:$TAG AS one\nARG TARGETARCH\nLABEL arch=$TARGETARCH\n\nFROM one AS two\n");

        var (exitCode, output, _) = Run("build", "--dry-run", "-c", Context, "-f", "build/Custom.Dockerfile",
            "--build-arg", "TAG=3.20", "--build-arg", "EXTRA=1", "--target", "one", "--custom-platform", "linux/arm64");

        Assert.Equal(0, exitCode);
        Assert.Equal(
            "[stage 1/1 one] FROM alpine:3.20 AS one\n" +
            "  ARG TARGETARCH=arm64\n" +
            "  LABEL arch=arm64\n" +
            "skipped [two]: not needed for target one\n" +
            "warning: one or more build-args [EXTRA] were not consumed [KANIKO1310]\n",
            output);
    }

    [Fact]
    public void A_bad_dockerfile_exits_one_with_file_and_line_on_stderr()
    {
        Write("Dockerfile", "FROM alpine\nRUN true\nFROBNICATE now\n");

        var (exitCode, output, error) = Run("build", "--dry-run", "--context", Context);

        Assert.Equal(1, exitCode);
        Assert.Equal("", output);
        Assert.Equal("Dockerfile:3: unknown instruction: FROBNICATE [KANIKO1101]" + Environment.NewLine, error);
    }

    [Fact]
    public void A_missing_dockerfile_exits_one()
    {
        var (exitCode, _, error) = Run("build", "--dry-run", "--context", Context);

        Assert.Equal(1, exitCode);
        Assert.Contains("[KANIKO2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error()
    {
        var (exitCode, _, error) = Run("build", "--dry-run", "--frobnicate");

        Assert.Equal(2, exitCode);
        Assert.Contains("--frobnicate", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--build-arg", "=oops", "KANIKO1312")]
    [InlineData("--custom-platform", "linux//arm64", "KANIKO3005")]
    [InlineData("--platform", "linux/arm64/v8/extra", "KANIKO3005")]
    public void A_malformed_value_is_a_usage_error(string option, string value, string code)
    {
        Write("Dockerfile", "FROM alpine\n");

        var (exitCode, _, error) = Run("build", "--dry-run", "--context", Context, option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains($"[{code}]", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_without_destination_or_no_push_is_a_usage_error()
    {
        Write("Dockerfile", "FROM alpine\n");

        var (exitCode, _, error) = Run("build", "--context", Context);

        Assert.Equal(2, exitCode);
        Assert.Equal("you must provide --destination, or use --no-push [KANIKO5005]" + Environment.NewLine, error);
    }

    [Fact]
    public void The_hello_sample_plans_as_its_readme_shows()
    {
        var sample = Path.Combine(TestPaths.RepositoryRoot, "samples", "hello-dockerfile");
        var readme = File.ReadAllText(Path.Combine(sample, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        var (exitCode, output, _) = Run("build", "--dry-run", "--context", sample);

        Assert.Equal(0, exitCode);
        Assert.Contains("```text\n" + output + "```", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_multistage_sample_plans_as_its_readme_shows()
    {
        var sample = Path.Combine(TestPaths.RepositoryRoot, "samples", "multistage-args");
        // The README shows the output of an x86-64 machine; the compiler stage runs on the build machine's platform.
        var readme = File.ReadAllText(Path.Combine(sample, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("--platform=linux/amd64", "--platform=" + (Kaniko.Engine.Oci.Platform.DefaultBuildTarget.Normalize() with { OsVersion = null }), StringComparison.Ordinal);

        var (exitCode, output, _) = Run("build", "--dry-run", "--context", sample, "--build-arg", "APP_VERSION=2.1.0", "--target", "release", "--custom-platform", "linux/arm64");

        Assert.Equal(0, exitCode);
        Assert.Contains("```text\n" + output + "```", readme, StringComparison.Ordinal);
    }
}
