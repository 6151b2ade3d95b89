using System.Text;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests;

/// <summary>
/// A build argument's value, used in ARG, ENV, LABEL, RUN, COPY and WORKDIR, is searched for in everything the tool
/// prints and writes besides the image: both log formats, the dry-run plan, the digest files and a failing build's
/// error. The value may be in the image (ENV and LABEL put it in the config, as with BuildKit); the logs must not
/// show it. The tool runs as its own process against the real registry, as a user runs it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BuildArgumentValuesNeverPrintedTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private const string Value = "s3cr3t-value-4f9c2e";

    private const string Dockerfile = """
        ARG BASE
        FROM $BASE
        ARG SSH_PRIVATE_KEY
        ARG DERIVED=derived-${SSH_PRIVATE_KEY}
        ENV KEY_COPY=$SSH_PRIVATE_KEY
        LABEL key=$DERIVED
        WORKDIR /work/$SSH_PRIVATE_KEY
        COPY a.txt /copied/$SSH_PRIVATE_KEY/
        RUN test -n "$SSH_PRIVATE_KEY" && printf '%s' "$SSH_PRIVATE_KEY" | wc -c
        """;

    private readonly TempDirectory _temp = new("kaniko-cli-build-args-");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("text", false)]
    [InlineData("json", false)]
    [InlineData("json", true)]
    public async Task A_successful_build_prints_no_build_argument_value(string logFormat, bool fromEnvironment)
    {
        var run = await BuildAsync($"ok-{logFormat}-{fromEnvironment}", Dockerfile, logFormat, fromEnvironment, ["--tar-path"]);

        Assert.True(run.ExitCode == 0, $"the build failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        Assert.Contains("WORKDIR /work/$SSH_PRIVATE_KEY", run.Error + run.Output, StringComparison.Ordinal);
        Assert.Contains("KANIKO1320", run.Error + run.Output, StringComparison.Ordinal);
        AssertNotPrinted(run);

        // The value did reach the build: ENV and LABEL hold it in the image config, as with BuildKit.
        var image = await File.ReadAllBytesAsync(Path.Combine(run.OutputDirectory, "image.tar"), TestContext.Current.CancellationToken);
        Assert.True(image.AsSpan().IndexOf(Encoding.UTF8.GetBytes("KEY_COPY=" + Value)) >= 0, "the image config should hold the ENV value");
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task A_dry_run_prints_no_build_argument_value(string logFormat)
    {
        var run = await BuildAsync("dry-" + logFormat, Dockerfile, logFormat, fromEnvironment: false, ["--dry-run"]);

        Assert.True(run.ExitCode == 0, $"the dry run failed ({run.ExitCode}):\n{run.Output}\n{run.Error}");
        Assert.Contains("COPY a.txt /copied/$SSH_PRIVATE_KEY/", run.Output, StringComparison.Ordinal);
        AssertNotPrinted(run);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public async Task A_failing_step_does_not_print_the_value_in_its_error(string logFormat)
    {
        var failing = Dockerfile.Replace("COPY a.txt", "COPY missing-$SSH_PRIVATE_KEY.txt", StringComparison.Ordinal);

        var run = await BuildAsync("fail-" + logFormat, failing, logFormat, fromEnvironment: false, []);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("missing-****.txt", run.Error, StringComparison.Ordinal);
        AssertNotPrinted(run);
    }

    private async Task<Run> BuildAsync(string name, string dockerfile, string logFormat, bool fromEnvironment, IReadOnlyList<string> extra)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        var context = Directory.CreateDirectory(_temp.Combine(name, "context")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), dockerfile + "\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(context, "a.txt"), "a\n", TestContext.Current.CancellationToken);
        var outputs = Directory.CreateDirectory(_temp.Combine(name, "outputs")).FullName;

        List<string> arguments =
        [
            "build",
            "--context", context,
            "--build-arg", "BASE=" + busybox.Reference,
            "--build-arg", fromEnvironment ? "SSH_PRIVATE_KEY" : "SSH_PRIVATE_KEY=" + Value,
            "--insecure-registry", registry.Host,
            "--no-push",
            "--digest-file", Path.Combine(outputs, "digest"),
            "--log-format", logFormat,
            "--verbosity", "debug",
        ];
        foreach (var option in extra)
        {
            arguments.Add(option);
            if (option == "--tar-path")
            {
                arguments.Add(Path.Combine(outputs, "image.tar"));
            }
        }

        var environment = fromEnvironment ? new Dictionary<string, string> { ["SSH_PRIVATE_KEY"] = Value } : null;
        var (exitCode, output, error) = await CliProcess.RunAsync(arguments, environment);
        return new Run(exitCode, output, error, outputs);
    }

    // Standard output, standard error and every file the build wrote besides the image itself.
    private static void AssertNotPrinted(Run run)
    {
        var places = new List<(string Where, string Text)> { ("standard output", run.Output), ("standard error", run.Error) };
        places.AddRange(Directory.EnumerateFiles(run.OutputDirectory, "*", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) != "image.tar")
            .Select(file => (file, File.ReadAllText(file))));
        foreach (var (where, text) in places)
        {
            Assert.False(text.Contains(Value, StringComparison.Ordinal), $"the build argument's value appears in {where}:\n{text}");
        }
    }

    private sealed record Run(int ExitCode, string Output, string Error, string OutputDirectory);
}
