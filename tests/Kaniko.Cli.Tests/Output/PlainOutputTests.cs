using System.Text.RegularExpressions;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Output;

/// <summary>The text format without a terminal: golden lines, no ANSI codes, the summary.</summary>
public sealed partial class PlainOutputTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("kaniko-cli-output-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Events_print_as_the_golden_lines()
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var style = new TextStyle(Color: false, Timestamps: true, new FixedTimeProvider(Now, TimeSpan.FromSeconds(1)));
        var sink = new ConsoleEventSink(new TextLineWriter(output, error, style), ConsoleVerbosity.Info);

        foreach (var buildEvent in OutputEvents.Build())
        {
            sink.Report(buildEvent);
        }

        Assert.Equal(Golden("plain.stdout.txt"), output.ToString());
        Assert.Equal(Golden("plain.stderr.txt"), error.ToString());
    }

    [Fact]
    public void Color_format_marks_steps_warnings_and_transfers()
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var sink = new ConsoleEventSink(new TextLineWriter(output, error, TextStyle.Plain with { Color = true }), ConsoleVerbosity.Info);

        foreach (var buildEvent in OutputEvents.Build())
        {
            sink.Report(buildEvent);
        }

        Assert.StartsWith("\u001b[1;36m[1/1] STEP 1/3: FROM", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("\u001b[33mwarning:", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CI")]
    [InlineData("GITHUB_ACTIONS")]
    public void A_build_in_ci_on_a_terminal_prints_no_ansi_codes(string variable)
    {
        var (exitCode, output, error) = Build(new CliHost { IsTerminal = _ => true, Environment = Environment(variable, "true") });

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain('\u001b', output);
        Assert.DoesNotContain('\u001b', error);
        Assert.Contains("[1/1] STEP 2/2: COPY app.txt /app/", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_plain_on_a_terminal_draws_no_bars()
    {
        var (exitCode, output, _) = Build(new CliHost { IsTerminal = _ => true, Environment = Environment() }, "--progress", "plain", "--log-format", "text");

        Assert.Equal(0, exitCode);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public void The_summary_gives_outputs_digest_size_layers_and_time()
    {
        var time = new FixedTimeProvider(Now, TimeSpan.FromSeconds(1.5));
        var tar = _temp.Combine("image.tar");

        var (exitCode, output, error) = Build(new CliHost { IsTerminal = _ => false, Environment = Environment(), Time = time }, "--tar-path", tar, "--log-timestamp");

        Assert.True(exitCode == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.All(lines, l => Assert.StartsWith("2026-11-26T18:00:00.000Z ", l, StringComparison.Ordinal));
        var text = lines.Select(l => l["2026-11-26T18:00:00.000Z ".Length..]).ToArray();
        Assert.Equal(["[1/1] STEP 1/2: FROM scratch", "[1/1] STEP 2/2: COPY app.txt /app/", "Wrote tarball " + tar], text[..3]);
        Assert.Matches(DigestLine(), text[3]);
        Assert.Matches(SizeLine(), text[4]);
        Assert.Equal(["Layers: 1 (1 new, 0 reused)", "Time: 1.50 s"], text[5..]);
    }

    private (int ExitCode, string Output, string Error) Build(CliHost host, params string[] extra)
    {
        File.WriteAllText(_temp.Combine("Dockerfile"), "FROM scratch\nCOPY app.txt /app/\n");
        File.WriteAllText(_temp.Combine("app.txt"), "hello\n");
        var output = new StringWriter();
        var error = new StringWriter();
        string[] args = ["build", "--context", _temp.Path, "--no-push", "--reproducible", "--cache-dir", _temp.Combine("cache"), .. extra];
        var exitCode = KanikoCommandLine.Run(args, output, error, host);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static Func<string, string?> Environment(params string[] pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < pairs.Length; i += 2)
        {
            values[pairs[i]] = pairs[i + 1];
        }

        return name => values.GetValueOrDefault(name);
    }

    internal static string Golden(string name) =>
        File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Cli.Tests", "TestData", "Output", name)).ReplaceLineEndings("\n");

    [GeneratedRegex("^Digest: sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestLine();

    [GeneratedRegex(@"^Size: [0-9.]+ (B|KiB) \([0-9]+ bytes\)$")]
    private static partial Regex SizeLine();
}
