using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Output;

/// <summary><c>--log-format json</c>: one object per line on standard error, nothing else on standard output.</summary>
public sealed class JsonOutputTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 18, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("kaniko-cli-json-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_event_is_one_object_with_time_level_msg_and_its_fields()
    {
        var error = new StringWriter { NewLine = "\n" };
        var sink = new JsonEventSink(error, ConsoleVerbosity.Trace, new FixedTimeProvider(Now, TimeSpan.FromSeconds(1)));

        foreach (var buildEvent in OutputEvents.Build())
        {
            sink.Report(buildEvent);
        }

        var lines = Parse(error.ToString());
        Assert.Equal(OutputEvents.Build().Count, lines.Count);
        Assert.All(lines, l =>
        {
            Assert.Equal("2026-11-26T18:00:00.000Z", l.GetProperty("time").GetString());
            Assert.False(string.IsNullOrEmpty(l.GetProperty("msg").GetString()));
        });
        Assert.Equal(["step", "transfer-started", "transfer-progress", "transfer-progress", "transfer-finished", "step", "warning", "step", "message", "transfer-started", "transfer-progress", "transfer-finished"],
            lines.Select(l => l.GetProperty("event").GetString()));

        var step = lines[7];
        Assert.Equal("info", step.GetProperty("level").GetString());
        Assert.Equal("[1/1] STEP 3/3: ENTRYPOINT [\"dotnet\", \"web.dll\"]", step.GetProperty("msg").GetString());
        Assert.Equal(3, step.GetProperty("step").GetInt32());
        Assert.Equal(3, step.GetProperty("steps").GetInt32());

        var warning = lines[6];
        Assert.Equal("warning", warning.GetProperty("level").GetString());
        Assert.Equal("KANIKO1311", warning.GetProperty("code").GetString());
        Assert.Equal("Dockerfile", warning.GetProperty("file").GetString());
        Assert.Equal(3, warning.GetProperty("line").GetInt32());

        var pulled = lines[4];
        Assert.Equal("pull", pulled.GetProperty("direction").GetString());
        Assert.Equal("127.0.0.1:5000/dotnet/aspnet", pulled.GetProperty("repository").GetString());
        Assert.Equal(OutputEvents.BaseLayer.ToString(), pulled.GetProperty("digest").GetString());
        Assert.Equal(31_457_280, pulled.GetProperty("size").GetInt64());
        Assert.Equal(2.0, pulled.GetProperty("elapsed").GetDouble());
        Assert.Equal("debug", lines[8].GetProperty("level").GetString());
    }

    [Fact]
    public void Byte_progress_is_left_out_below_trace()
    {
        var error = new StringWriter();
        var sink = new JsonEventSink(error, ConsoleVerbosity.Info, TimeProvider.System);

        foreach (var buildEvent in OutputEvents.Build())
        {
            sink.Report(buildEvent);
        }

        var kinds = Parse(error.ToString()).Select(l => l.GetProperty("event").GetString()).ToList();
        Assert.DoesNotContain("transfer-progress", kinds);
        Assert.DoesNotContain("message", kinds);
        Assert.Contains("transfer-finished", kinds);
    }

    [Fact]
    public void A_build_prints_json_lines_and_a_summary_object_on_standard_error_only()
    {
        var (exitCode, output, error) = Build("FROM scratch\nCOPY app.txt /app/\n", "--tar-path", _temp.Combine("image.tar"));

        Assert.Equal(0, exitCode);
        Assert.Equal("", output);
        var lines = Parse(error);
        Assert.Equal(["step", "step", "summary"], lines.Select(l => l.GetProperty("event").GetString()));
        var summary = lines[^1];
        Assert.Equal("info", summary.GetProperty("level").GetString());
        Assert.StartsWith("sha256:", summary.GetProperty("digest").GetString(), StringComparison.Ordinal);
        Assert.True(summary.GetProperty("size").GetInt64() > 0);
        Assert.Equal(1, summary.GetProperty("layers").GetInt32());
        Assert.Equal(1, summary.GetProperty("new_layers").GetInt32());
        Assert.Equal(0, summary.GetProperty("reused_layers").GetInt32());
        Assert.Equal(2.5, summary.GetProperty("elapsed").GetDouble());
        Assert.Equal(["tarball " + _temp.Combine("image.tar")], summary.GetProperty("outputs").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(summary.GetProperty("references").EnumerateArray());
    }

    [Fact]
    public void A_failed_build_prints_the_error_as_json_with_code_file_and_line()
    {
        var (exitCode, output, error) = Build("FROM scratch\nCOPY missing.txt /app/\n");

        Assert.Equal(ExitCodes.BuildFailed, exitCode);
        Assert.Equal("", output);
        var failure = Parse(error).Single(l => l.GetProperty("event").GetString() == "error");
        Assert.Equal("error", failure.GetProperty("level").GetString());
        Assert.StartsWith("KANIKO", failure.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Equal("Dockerfile", failure.GetProperty("file").GetString());
        Assert.Equal(2, failure.GetProperty("line").GetInt32());
        Assert.Contains("missing.txt", failure.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_usage_error_is_json_too()
    {
        var (exitCode, _, error) = Build("FROM scratch\n", "--label", "novalue");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        var failure = Assert.Single(Parse(error));
        Assert.Equal(DiagnosticCodes.InvalidRequest.ToString(), failure.GetProperty("code").GetString());
        Assert.False(failure.TryGetProperty("file", out _));
    }

    private (int ExitCode, string Output, string Error) Build(string dockerfile, params string[] extra)
    {
        File.WriteAllText(_temp.Combine("Dockerfile"), dockerfile);
        File.WriteAllText(_temp.Combine("app.txt"), "hello\n");
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new CliHost { IsTerminal = _ => true, Environment = _ => null, Time = new FixedTimeProvider(Now, TimeSpan.FromSeconds(2.5)) };
        string[] args = ["build", "--context", _temp.Path, "--no-push", "--cache-dir", _temp.Combine("cache"), "--log-format", "json", .. extra];
        var exitCode = KanikoCommandLine.Run(args, output, error, host);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static List<JsonElement> Parse(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            Assert.DoesNotContain('\u001b', line);
            using var document = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            return document.RootElement.Clone();
        })];
}
