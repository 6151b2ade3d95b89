using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Planning;

public class BuildArgumentsTests
{
    [Fact]
    public void Values_with_and_without_equals_signs()
    {
        var environment = new Dictionary<string, string> { ["FROM_ENV"] = "e" };

        var args = BuildArguments.Parse(["A=1", "B=", "C=x=y", "FROM_ENV", "ABSENT"], n => environment.GetValueOrDefault(n));

        Assert.Equal(
            [new("A", "1"), new("B", ""), new("C", "x=y"), new KeyValuePair<string, string>("FROM_ENV", "e")],
            args);
    }

    [Fact]
    public void A_later_value_wins_but_an_absent_environment_variable_keeps_the_earlier_one()
    {
        var args = BuildArguments.Parse(["A=1", "A=2", "A"], _ => null);

        Assert.Equal([new KeyValuePair<string, string>("A", "2")], args);
    }

    [Fact]
    public void A_build_argument_needs_a_name()
    {
        var error = Assert.Throws<KanikoException>(() => BuildArguments.Parse(["=1"], _ => null));
        Assert.Equal(DiagnosticCodes.InvalidBuildArgument, error.Code);
    }
}

public class StopSignalTests
{
    [Theory]
    [InlineData("SIGTERM", true)]
    [InlineData("term", true)]
    [InlineData("SIGRTMIN+3", true)]
    [InlineData("RTMAX-1", true)]
    [InlineData("9", true)]
    [InlineData("0", false)]
    [InlineData("SIGFOO", false)]
    [InlineData("RTMIN+16", false)]
    public void Accepts_linux_signals(string signal, bool valid) => Assert.Equal(valid, StopSignals.IsValid(signal));
}

public class BuildPlannerTests
{
    private static BuildPlan Plan(string dockerfile, PlanRequest? request = null) =>
        KanikoPlanner.Plan(System.Text.Encoding.UTF8.GetBytes(dockerfile), "Dockerfile",
            request ?? new PlanRequest { BuildPlatform = Kaniko.Engine.Oci.Platform.Parse("linux/amd64") });

    [Fact]
    public void Heredoc_sources_are_expanded_unless_the_marker_is_quoted()
    {
        var plan = Plan("FROM alpine\nARG NAME=world\nCOPY <<EOF <<'RAW' /dst/\nhello \"$NAME\"\nEOF\nkeep $NAME\nRAW\n");

        var copy = Assert.IsType<Kaniko.Engine.Dockerfile.Instructions.CopyInstruction>(plan.Target.Steps[^1].Expanded);
        Assert.Equal("hello \"world\"\n", copy.Sources.SourceContents[0].Data);
        Assert.Equal("keep $NAME\n", copy.Sources.SourceContents[1].Data);
    }

    [Fact]
    public void Steps_carry_the_build_args_in_scope_without_proxies()
    {
        var plan = Plan("FROM alpine\nARG A=1\nARG HTTP_PROXY\nRUN echo $A\n", new PlanRequest
        {
            BuildPlatform = Kaniko.Engine.Oci.Platform.Parse("linux/amd64"),
            BuildArgs = [new("HTTP_PROXY", "http://127.0.0.1:3128"), new("https_proxy", "http://127.0.0.1:3129")],
        });

        var run = plan.Target.Steps[^1];
        Assert.Equal([new KeyValuePair<string, string>("A", "1")], run.BuildArgs);
        Assert.Equal(["HTTP_PROXY", "https_proxy"], plan.ProxyArgs.Select(kv => kv.Key));
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void The_plan_records_the_stage_graph()
    {
        var plan = Plan("FROM alpine AS a\nFROM alpine AS b\nFROM a AS c\nCOPY --from=b /x /x\nRUN --mount=from=alpine:3,target=/m true\n");

        var c = plan.Target;
        Assert.Equal(0, c.BaseStage);
        Assert.Equal([0, 1], c.Dependencies);
        Assert.Equal(new StepSource("b", 1), Assert.Single(c.Steps[0].Sources));
        Assert.Equal(new StepSource("alpine:3", null), Assert.Single(c.Steps[1].Sources));
        Assert.Equal(["a", "b", "c"], plan.Stages.Select(s => s.DisplayName));
    }

    [Fact]
    public void Global_args_hold_the_automatic_platform_values()
    {
        var plan = Plan("ARG V=1\nFROM alpine\n", new PlanRequest
        {
            BuildPlatform = Kaniko.Engine.Oci.Platform.Parse("linux/amd64"),
            TargetPlatform = Kaniko.Engine.Oci.Platform.Parse("linux/arm"),
        });

        var args = plan.GlobalArgs.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("linux/amd64", args["BUILDPLATFORM"]);
        Assert.Equal("linux/arm/v7", args["TARGETPLATFORM"]);
        Assert.Equal("v7", args["TARGETVARIANT"]);
        Assert.Equal("default", args["TARGETSTAGE"]);
        Assert.Equal("1", args["V"]);
    }
}

public class OnbuildPlanningTests
{
    [Fact]
    public void An_onbuild_heredoc_reaches_the_trigger_and_the_stored_expression()
    {
        var plan = KanikoPlanner.Plan("FROM alpine AS base\nONBUILD RUN <<EOF\necho hi\nEOF\nFROM base\n"u8, "Dockerfile",
            new PlanRequest { BuildPlatform = Kaniko.Engine.Oci.Platform.Parse("linux/amd64") });

        var onbuild = Assert.IsType<Kaniko.Engine.Dockerfile.Instructions.OnbuildInstruction>(Assert.Single(plan.Stages[0].Steps).Instruction);
        Assert.Equal("RUN <<EOF\necho hi\nEOF", onbuild.Expression);
        var trigger = Assert.Single(plan.Stages[1].Steps);
        Assert.True(trigger.IsOnbuildTrigger);
        var run = Assert.IsType<Kaniko.Engine.Dockerfile.Instructions.RunInstruction>(trigger.Instruction);
        Assert.Equal([new Kaniko.Engine.Dockerfile.Instructions.InlineFile("EOF", "echo hi\n", false)], run.Heredocs);
        Assert.Equal(plan.Stages[1].From.Range, run.Range);
    }
}
