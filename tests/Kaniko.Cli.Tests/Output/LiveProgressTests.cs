using Kaniko.Testing;
using Spectre.Console.Testing;

namespace Kaniko.Cli.Tests.Output;

/// <summary>The live bars on a (fake) terminal: step lines above, one bar per transfer, a line when one ends.</summary>
public sealed class LiveProgressTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-cli-live-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Transfers_draw_bars_and_steps_print_above_them()
    {
        var console = Terminal();
        var error = new StringWriter();
        var lines = new ConsoleEventSink(new AnsiLineWriter(console, error, TextStyle.Plain), ConsoleVerbosity.Info);

        await LiveProgressEventSink.Display(console).StartAsync(progress =>
        {
            var sink = new LiveProgressEventSink(lines, progress);
            foreach (var buildEvent in OutputEvents.Build())
            {
                sink.Report(buildEvent);
                // Let the display draw what each event changed, as it does while a build runs.
                progress.Refresh();
            }

            return Task.CompletedTask;
        });

        var screen = console.Output;
        Assert.Contains("pull sha256:aaaaaaaaaaaa", screen, StringComparison.Ordinal);
        Assert.Contains("push sha256:bbbbbbbbbbbb", screen, StringComparison.Ordinal);
        Assert.Contains("MiB", screen, StringComparison.Ordinal);
        var step = screen.IndexOf("[1/1] STEP 2/3: COPY --chown=app . /app", StringComparison.Ordinal);
        var pulled = screen.IndexOf("pulled sha256:aaaaaaaaaaaa 30.0 MiB in 2.00 s (15.0 MiB/s)", StringComparison.Ordinal);
        Assert.True(pulled >= 0 && step > pulled, screen);
        Assert.Contains("pushed sha256:bbbbbbbbbbbb 1.0 MiB in 0.25 s (4.0 MiB/s)", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("pulling sha256", screen, StringComparison.Ordinal);
        Assert.Contains("warning: Dockerfile:3:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_build_on_a_terminal_goes_through_the_live_display()
    {
        var console = Terminal();
        File.WriteAllText(_temp.Combine("Dockerfile"), "FROM scratch\nCOPY app.txt /app/\n");
        File.WriteAllText(_temp.Combine("app.txt"), "hello\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost { IsTerminal = _ => true, Environment = _ => null, AnsiConsole = _ => console };

        var exitCode = KanikoCommandLine.Run(
            ["build", "--context", _temp.Path, "--no-push", "--tar-path", _temp.Combine("image.tar"), "--cache-dir", _temp.Combine("cache")], output, error, host);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Equal("", output.ToString());
        Assert.Contains("[1/1] STEP 2/2: COPY app.txt /app/", console.Output, StringComparison.Ordinal);
        Assert.Contains("Layers: 1 (1 new, 0 reused)", console.Output, StringComparison.Ordinal);
        Assert.Contains("\u001b[", console.Output, StringComparison.Ordinal);
    }

    private static TestConsole Terminal()
    {
        var console = new TestConsole().Interactive().EmitAnsiSequences().Width(120);
        console.Profile.Capabilities.Ansi = true;
        return console;
    }
}
