using System.Text.Json.Nodes;
using Kaniko.Engine.Execution;

namespace Kaniko.Engine.Tests.Execution;

/// <summary>Runs every folder of <c>TestData/ConfigState</c> through planning and <see cref="ImageConfigState"/>.</summary>
public class ConfigStateCaseTests
{
    public static TheoryData<string> Cases => ConfigStateCase.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Config_is_as_buildkit_writes_it(string name)
    {
        var testCase = ConfigStateCase.Open(name);

        var config = testCase.Build().Config;

        var expected = JsonNode.Parse(testCase.ReadText("expected-config.json"));
        var actual = JsonNode.Parse(ConfigStateCase.ConfigJson(config));
        Assert.True(JsonNode.DeepEquals(expected, actual), "actual config:\n" + ConfigStateCase.ConfigJson(config));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void History_is_as_buildkit_writes_it(string name)
    {
        var testCase = ConfigStateCase.Open(name);

        var config = testCase.Build().Config;

        var added = config.History!.Skip(testCase.BaseImage?.History?.Count ?? 0).ToArray();
        Assert.Equal(testCase.ReadText("expected-history.txt"), ConfigStateCase.HistoryText(added));
        Assert.All(added, entry =>
        {
            Assert.Equal(ImageConfigState.HistoryComment, entry.Comment);
            Assert.Equal("2024-01-02T03:04:05Z", entry.Created);
        });
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Run_commands_are_prepared_as_buildkit_does(string name)
    {
        var testCase = ConfigStateCase.Open(name);
        if (!testCase.Has("expected-run.txt"))
        {
            return;
        }

        var runs = testCase.Build().Steps.Where(s => s.Run is not null).Select(s => s.Run!);

        Assert.Equal(testCase.ReadText("expected-run.txt"), ConfigStateCase.RunText(runs));
    }

    [Fact]
    public void There_are_enough_cases() => Assert.True(Cases.Count >= 25, $"only {Cases.Count} cases");
}
