using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli;

/// <summary>
/// One line of <c>--log-format json</c>. The field names follow kaniko's JSON logs (<c>time</c>, <c>level</c>,
/// <c>msg</c>); the others say what the line is about and are left out when they do not apply.
/// </summary>
internal sealed record JsonLogRecord
{
    /// <summary>When, in UTC (RFC 3339 with milliseconds, <c>2026-11-26T18:40:26.316Z</c>).</summary>
    public required string Time { get; init; }

    /// <summary><c>error</c>, <c>warning</c>, <c>info</c>, <c>debug</c> or <c>trace</c>.</summary>
    public required string Level { get; init; }

    /// <summary>The message, as the text format prints it.</summary>
    public required string Msg { get; init; }

    /// <summary>The kind of line: <c>step</c>, <c>transfer-started</c>, <c>transfer-progress</c>, <c>transfer-finished</c>, <c>run-output</c>, <c>cache-hit</c>, <c>cache-miss</c>, <c>message</c>, <c>warning</c>, <c>error</c>, <c>summary</c>.</summary>
    public required string Event { get; init; }

    /// <summary>The diagnostic code of a warning or error (<c>KANIKO1311</c>).</summary>
    public string? Code { get; init; }

    /// <summary>The Dockerfile a warning or error is about.</summary>
    public string? File { get; init; }

    /// <summary>The line of <see cref="File"/>.</summary>
    public int? Line { get; init; }

    /// <summary>The stage's position, from 1.</summary>
    public int? Stage { get; init; }

    /// <summary>How many stages the build runs.</summary>
    public int? Stages { get; init; }

    /// <summary>The step's position in its stage, from 1.</summary>
    public int? Step { get; init; }

    /// <summary>How many steps the stage has.</summary>
    public int? Steps { get; init; }

    /// <summary>A layer-making step's cache key (<c>cache-hit</c>, <c>cache-miss</c>).</summary>
    public string? CacheKey { get; init; }

    /// <summary>The cache that had the layer (<c>cache-hit</c>).</summary>
    public string? CacheSource { get; init; }

    /// <summary>The stream a <c>RUN</c> step wrote a line to: <c>stdout</c> or <c>stderr</c>.</summary>
    public string? Stream { get; init; }

    /// <summary>A transfer's direction: <c>pull</c> or <c>push</c>.</summary>
    public string? Direction { get; init; }

    /// <summary>A transfer's repository (host and path; never credentials).</summary>
    public string? Repository { get; init; }

    /// <summary>A blob's digest, or the image's in the summary.</summary>
    public string? Digest { get; init; }

    /// <summary>A blob's size, or the image's in the summary (bytes).</summary>
    public long? Size { get; init; }

    /// <summary>The bytes moved so far of a transfer.</summary>
    public long? Transferred { get; init; }

    /// <summary>Seconds taken: by a transfer, or by the whole build in the summary.</summary>
    public double? Elapsed { get; init; }

    /// <summary>The references pushed (summary).</summary>
    public IReadOnlyList<string>? References { get; init; }

    /// <summary>The files written: tarball, OCI layout (summary).</summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>Each platform's image digest, with several platforms (summary).</summary>
    public IReadOnlyList<JsonPlatformImage>? Images { get; init; }

    /// <summary>How many layers the image has (summary).</summary>
    public int? Layers { get; init; }

    /// <summary>How many layers the build made (summary).</summary>
    public int? NewLayers { get; init; }

    /// <summary>How many base-image layers the image keeps as they are (summary).</summary>
    public int? ReusedLayers { get; init; }
}

/// <summary>One platform's image in the JSON summary.</summary>
/// <param name="Platform">The platform, <c>linux/arm64</c>.</param>
/// <param name="Digest">Its manifest digest.</param>
internal sealed record JsonPlatformImage(string Platform, string Digest);

/// <summary>Source-generated serialisation of the JSON log lines (snake_case, nulls left out, one line each).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(JsonLogRecord))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>
/// Prints build events as JSON lines on standard error (<c>--log-format json</c>), filtered by verbosity as the
/// text format is; byte progress only at <see cref="ConsoleVerbosity.Trace"/>.
/// </summary>
internal sealed class JsonEventSink(TextWriter error, ConsoleVerbosity verbosity, TimeProvider time) : IBuildEventSink
{
    private readonly Lock _gate = new();

    public void Report(BuildEvent buildEvent)
    {
        var record = buildEvent switch
        {
            StepStartedEvent step when verbosity >= ConsoleVerbosity.Info => Record("info", step.ToString(), "step") with
            {
                Stage = step.StageNumber, Stages = step.StageCount, Step = step.StepNumber, Steps = step.StepCount,
            },
            LayerCacheLookupEvent lookup when verbosity >= ConsoleVerbosity.Info => Record("info", lookup.ToString(), lookup.Hit ? "cache-hit" : "cache-miss") with
            {
                CacheKey = lookup.Key, CacheSource = lookup.Source,
            },
            RunOutputEvent output when verbosity >= ConsoleVerbosity.Info => Record("info", output.Text, "run-output") with
            {
                Stream = output.Stream == SandboxOutputStream.StandardError ? "stderr" : "stdout",
            },
            BlobTransferStartedEvent started when verbosity >= ConsoleVerbosity.Info => Record("info", TransferText.Started(started), "transfer-started") with
            {
                Direction = Direction(started.Direction), Repository = started.Repository, Digest = started.Digest, Size = started.Size,
            },
            BlobTransferProgressEvent moved when verbosity >= ConsoleVerbosity.Trace => Record("trace", TransferText.Label(moved.Direction, moved.Digest), "transfer-progress") with
            {
                Direction = Direction(moved.Direction), Digest = moved.Digest.ToString(), Size = moved.Size, Transferred = moved.Transferred,
            },
            BlobTransferFinishedEvent finished when verbosity >= ConsoleVerbosity.Info => Record("info", TransferText.Finished(finished), "transfer-finished") with
            {
                Direction = Direction(finished.Direction), Repository = finished.Repository, Digest = finished.Digest,
                Size = finished.Size, Transferred = finished.Size, Elapsed = finished.Elapsed.TotalSeconds,
            },
            WarningEvent warning when verbosity >= ConsoleVerbosity.Warn => Located(Record("warning", warning.Warning.Message, "warning"), warning.Warning.Code, warning.Warning.Range),
            MessageEvent { Importance: MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Debug => Record("debug", message.Text, "message"),
            MessageEvent { Importance: not MessageImportance.Low } message when verbosity >= ConsoleVerbosity.Info => Record("info", message.Text, "message"),
            _ => null,
        };
        if (record is not null)
        {
            Write(record);
        }
    }

    /// <summary>Prints the error that stopped the command (always, whatever the verbosity).</summary>
    internal void Error(KanikoException exception) =>
        Write(Located(Record("error", exception.Detail, "error"), exception.Code, exception.Range));

    /// <summary>Prints the summary of a finished build as one object.</summary>
    internal void Summary(BuildSummary summary)
    {
        if (verbosity < ConsoleVerbosity.Info)
        {
            return;
        }

        Write(Record("info", "build finished", "summary") with
        {
            Digest = summary.Digest.ToString(),
            References = [.. summary.References.Select(r => r.ToString())],
            Outputs = summary.Outputs.Count > 0 ? summary.Outputs : null,
            Images = summary.IsIndex ? [.. summary.Images.Select(i => new JsonPlatformImage(i.Platform.ToString(), i.Digest.ToString()))] : null,
            Size = summary.Size,
            Layers = summary.Layers,
            NewLayers = summary.NewLayers,
            ReusedLayers = summary.ReusedLayers,
            Elapsed = summary.Elapsed.TotalSeconds,
        });
    }

    /// <summary>The JSON of one record, as printed.</summary>
    internal static string Serialize(JsonLogRecord record) => JsonSerializer.Serialize(record, Context.JsonLogRecord);

    // The default encoder writes a quote in a step (CMD ["x"]) as \u0022; the relaxed one keeps logs readable and is
    // still valid JSON, since the lines are never embedded in HTML.
    private static readonly CliJsonContext Context = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static string Direction(BlobTransferDirection direction) => direction == BlobTransferDirection.Pull ? "pull" : "push";

    private static JsonLogRecord Located(JsonLogRecord record, DiagnosticCode code, SourceRange? range) => record with
    {
        Code = code.ToString(),
        File = range?.File,
        Line = range?.StartLine,
    };

    private JsonLogRecord Record(string level, string message, string kind) =>
        new() { Time = time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), Level = level, Msg = message, Event = kind };

    private void Write(JsonLogRecord record)
    {
        var line = Serialize(record);
        lock (_gate)
        {
            error.WriteLine(line);
        }
    }
}
