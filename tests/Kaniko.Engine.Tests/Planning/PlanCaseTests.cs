using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Planning;

/// <summary>Runs every folder of <c>TestData/Plans</c> and <c>TestData/Plans-negative</c> through parser, instructions and planner.</summary>
public class PlanCaseTests
{
    public static TheoryData<string> Positive => PlanCase.All("Plans");

    public static TheoryData<string> Negative => PlanCase.All("Plans-negative");

    [Theory]
    [MemberData(nameof(Positive))]
    public void Plan_renders_as_expected(string name)
    {
        var testCase = PlanCase.Open("Plans", name);

        var plan = KanikoPlanner.Plan(testCase.Dockerfile, "Dockerfile", testCase.Request());

        Assert.Equal(testCase.ReadText("expected.txt"), PlanTextWriter.Write(plan));
        if (File.Exists(Path.Combine(testCase.Directory, "expanded.txt")))
        {
            // The printed plan hides build-argument values; expanded.txt pins the values the steps really use.
            var expanded = string.Concat(plan.Stages.SelectMany(s => s.Steps).Select(s => s.Text + "\n"));
            Assert.Equal(testCase.ReadText("expanded.txt"), expanded);
        }
    }

    [Theory]
    [MemberData(nameof(Negative))]
    public void Plan_fails_with_the_expected_error(string name)
    {
        var testCase = PlanCase.Open("Plans-negative", name);

        var error = Assert.ThrowsAny<KanikoException>(() => KanikoPlanner.Plan(testCase.Dockerfile, "Dockerfile", testCase.Request()));

        Assert.Equal(testCase.ReadText("error.txt").TrimEnd('\n'), $"{error.Message} [{error.Code}]");
    }

    [Fact]
    public void There_are_enough_cases()
    {
        Assert.True(Positive.Count >= 30, $"only {Positive.Count} positive cases");
        Assert.True(Negative.Count >= 20, $"only {Negative.Count} negative cases");
    }
}
