using System.Text;
using System.Text.Json.Nodes;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;
using Kaniko.Engine.Tests.Planning;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>
/// One folder of <c>TestData/ConfigState</c>: a <c>Dockerfile</c>, an optional <c>base.json</c> (the config of every
/// image a stage starts from), an optional <c>args.txt</c> (the options of <see cref="PlanCase"/>),
/// <c>expected-config.json</c> (the target's config without its history), <c>expected-history.txt</c> (one line per
/// history entry added after the base image's, <c>[empty]</c> or <c>[layer]</c> then <c>created_by</c> with newlines
/// written <c>\n</c>) and an optional <c>expected-run.txt</c> (for each RUN of the target stage: <c>args</c>,
/// <c>env</c>, <c>user</c>, <c>workdir</c> and <c>script</c> lines, a blank line between RUNs).
/// </summary>
internal sealed class ConfigStateCase
{
    /// <summary>The time every case's history is stamped with.</summary>
    public static readonly DateTimeOffset Created = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private readonly PlanCase _plan;

    private ConfigStateCase(string name) => _plan = PlanCase.Open("ConfigState", name);

    public static TheoryData<string> All() => PlanCase.All("ConfigState");

    public static ConfigStateCase Open(string name) => new(name);

    public bool Has(string file) => File.Exists(Path.Combine(_plan.Directory, file));

    public string ReadText(string file) => _plan.ReadText(file);

    public ImageConfigFile? BaseImage =>
        Has("base.json") ? RawJson<ImageConfigFile>.Parse(File.ReadAllBytes(Path.Combine(_plan.Directory, "base.json"))).Value : null;

    /// <summary>Plans the Dockerfile and applies every planned stage; returns the target's state.</summary>
    public ImageConfigState Build()
    {
        var request = _plan.Request();
        var plan = KanikoPlanner.Plan(_plan.Dockerfile, "Dockerfile", request);
        var options = ConfigStateOptions.For(plan, request, Created);
        var states = new Dictionary<int, ImageConfigState>();
        foreach (var stage in plan.Stages)
        {
            var state = stage.BaseStage is { } baseIndex ? states[baseIndex].ForDerivedStage()
                : stage.IsScratch ? ImageConfigState.FromScratch(stage.Platform ?? plan.TargetPlatform, options)
                : ImageConfigState.FromImage(BaseImage ?? throw new InvalidDataException("the case needs base.json"), options);
            foreach (var step in stage.Steps)
            {
                state.Apply(step);
            }

            states[stage.Index] = state;
        }

        return states[plan.Target.Index];
    }

    /// <summary>The config without its history, as canonical JSON.</summary>
    public static string ConfigJson(ImageConfigFile config)
    {
        var node = JsonNode.Parse(OciJson.SerializeToUtf8Bytes(config with { History = null }, ImageConfigFile.JsonTypeInfo))!;
        return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    public static string HistoryText(IEnumerable<HistoryEntry> entries)
    {
        var builder = new StringBuilder();
        foreach (var entry in entries)
        {
            builder.Append(entry.EmptyLayer == true ? "[empty] " : "[layer] ")
                .Append(Escape(entry.CreatedBy ?? "")).Append('\n');
        }

        return builder.ToString();
    }

    public static string RunText(IEnumerable<RunCommandSpec> runs) => string.Join("\n", runs.Select(run =>
        "args " + string.Join(" | ", run.Args.Select(Escape)) + "\n"
        + string.Concat(run.Environment.Select(e => "env " + Escape(e) + "\n"))
        + "user " + run.User + "\n"
        + "workdir " + run.WorkingDirectory + "\n"
        + (run.Script is { } script ? "script " + script.Path + " " + Escape(script.Content) + "\n" : "")));

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
