using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Execution;

public class ImageConfigStateTests
{
    private static readonly ConfigStateOptions Options = new() { Created = ConfigStateCase.Created };

    private static readonly ImageConfigFile Busybox = new()
    {
        Architecture = "amd64",
        Os = "linux",
        Created = "2023-01-01T00:00:00Z",
        Config = new ContainerConfig { Env = ["PATH=/bin"], Cmd = ["sh"] },
        History = [new HistoryEntry { CreatedBy = "base" }],
    };

    private static ImageConfigState Build(string dockerfile, ImageConfigFile? baseImage = null, ConfigStateOptions? options = null)
    {
        var plan = KanikoPlanner.Plan(Encoding.UTF8.GetBytes(dockerfile), "Dockerfile", new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") });
        var state = ImageConfigState.FromImage(baseImage ?? Busybox, options ?? Options);
        foreach (var step in plan.Target.Steps)
        {
            state.Apply(step);
        }

        return state;
    }

    [Theory]
    [InlineData("80", "80/tcp")]
    [InlineData("80/TCP", "80/tcp")]
    [InlineData("53/udp", "53/udp")]
    [InlineData("8000-8002/sctp", "8000/sctp 8001/sctp 8002/sctp")]
    [InlineData("80-80", "80/tcp")]
    [InlineData("+81", "81/tcp")]
    [InlineData("0.0.0.0:8080:80", "80/tcp")]
    [InlineData("[::1]:8080:80", "80/tcp")]
    [InlineData("[1.2.3.4]:8080:80", "80/tcp")]
    [InlineData("9000-9009:80", "80/tcp")]
    public void Exposed_ports_are_normalised(string word, string expected)
    {
        Assert.Equal(expected.Split(' '), ExposedPorts.Parse([word], null));
    }

    [Theory]
    [InlineData("abc", "invalid containerPort: abc")]
    [InlineData("80/foo", "invalid port: \"80/foo\": invalid proto: foo")]
    [InlineData("/tcp", "invalid port: \"/tcp\": no port specified")]
    [InlineData("90-80", "invalid containerPort: 90-80")]
    [InlineData("70000", "invalid containerPort: 70000")]
    [InlineData("80-", "invalid containerPort: 80-")]
    [InlineData("1.2.3:80:80", "invalid IP address: 1.2.3")]
    [InlineData("01.2.3.4:80:80", "invalid IP address: 01.2.3.4")]
    [InlineData("x:80", "invalid hostPort: x")]
    [InlineData("8000-8001:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001")]
    public void Invalid_exposed_ports_are_refused_with_buildkit_messages(string word, string message)
    {
        var error = Assert.Throws<KanikoException>(() => ExposedPorts.Parse([word], null));

        Assert.Equal(DiagnosticCodes.InvalidExposedPort, error.Code);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void An_invalid_port_is_reported_at_its_line()
    {
        var error = Assert.Throws<KanikoException>(() => Build("FROM busybox\nENV P=x\nEXPOSE $P\n"));

        Assert.Equal(DiagnosticCodes.InvalidExposedPort, error.Code);
        Assert.Equal(3, error.Range?.StartLine);
    }

    [Fact]
    public void An_empty_volume_is_refused()
    {
        var error = Assert.Throws<KanikoException>(() => Build("FROM busybox\nARG EMPTY\nVOLUME /a $EMPTY\n"));

        Assert.Equal(DiagnosticCodes.EmptyVolume, error.Code);
    }

    [Theory]
    [InlineData(null, "/app", "/app")]
    [InlineData("", "app", "/app")]
    [InlineData("/", "..", "/")]
    [InlineData("/a/b", "../c/./d/", "/a/c/d")]
    [InlineData("/a", "/x/../y/", "/x/../y/")]
    [InlineData("/a", "", "/a")]
    [InlineData("rel", "x", "/rel/x")]
    public void Working_directories_follow_buildkit(string? current, string path, string expected)
    {
        Assert.Equal(expected, ContainerWorkdir.Normalize(current, path));
    }

    [Fact]
    public void Commands_are_quoted_as_go_does_in_the_history()
    {
        var state = Build("FROM busybox\nENTRYPOINT [\"a\\tb\", \"é\", \"\\\\\"]\n");

        Assert.Equal("ENTRYPOINT [\"a\\tb\" \"é\" \"\\\\\"]", state.Steps[0].History!.CreatedBy);
    }

    [Fact]
    public void History_entries_carry_the_time_and_buildkit_comment()
    {
        var state = Build("FROM busybox\nENV A=1\nCOPY a /b\n", options: new ConfigStateOptions { Created = new DateTimeOffset(2025, 6, 7, 8, 9, 10, 500, TimeSpan.FromHours(2)) });

        var entries = state.Config.History!;
        Assert.Equal(3, entries.Count);
        Assert.Equal("base", entries[0].CreatedBy);
        Assert.All(entries.Skip(1), e =>
        {
            Assert.Equal("2025-06-07T06:09:10.5Z", e.Created);
            Assert.Equal("buildkit.dockerfile.v0", e.Comment);
        });
        Assert.True(entries[1].EmptyLayer);
        Assert.Null(entries[2].EmptyLayer);
        Assert.Equal("2025-06-07T06:09:10.5Z", state.Config.Created);
    }

    [Fact]
    public void Steps_say_which_layer_they_need()
    {
        var state = Build("FROM busybox\nUSER app:grp\nWORKDIR /srv\nWORKDIR /\nCOPY a /b\nADD c /d\nRUN true\nONBUILD RUN x\n");

        Assert.Equal(
            [StepLayerKind.None, StepLayerKind.CreateWorkdir, StepLayerKind.None, StepLayerKind.Copy, StepLayerKind.Add, StepLayerKind.Run, StepLayerKind.None],
            state.Steps.Select(s => s.Layer));
        Assert.Equal(new WorkdirCreation("/srv", "app:grp"), state.Steps[1].Workdir);
        Assert.NotNull(state.Steps[5].Run);
        Assert.Null(state.Steps[6].History);
        Assert.Equal(["base", "USER app:grp", "WORKDIR /srv", "WORKDIR /", "COPY a /b # buildkit", "ADD c /d # buildkit", "RUN /bin/sh -c true # buildkit"],
            state.Config.History!.Select(h => h.CreatedBy));
    }

    [Fact]
    public void Base_image_triggers_are_handed_over_and_removed()
    {
        var state = ImageConfigState.FromImage(Busybox with { Config = Busybox.Config! with { OnBuild = ["RUN a", "COPY b /c"] } }, Options);

        Assert.Equal(["RUN a", "COPY b /c"], state.BaseOnBuildTriggers);
        Assert.Null(state.Config.Config!.OnBuild);
    }

    [Fact]
    public void A_derived_stage_keeps_variables_and_arguments_but_not_the_cmd_record()
    {
        var first = Build("FROM busybox\nARG A=1\nENV B=2\nCMD [\"x\"]\nONBUILD RUN y\n");

        var derived = first.ForDerivedStage();
        derived.Apply(Build("FROM busybox\nENTRYPOINT [\"e\"]\n").Steps[0].Instruction);

        Assert.Null(derived.Config.Config!.Cmd);
        Assert.Null(derived.Config.Config.OnBuild);
        Assert.Equal([new KeyValuePair<string, string>("A", "1")], derived.BuildArgs);
        Assert.True(derived.Variables.TryGetValue("B", out var b) && b == "2");
        Assert.Single(derived.Steps);
        Assert.Single(first.Steps, s => s.History is null);
    }

    [Fact]
    public void Scratch_for_windows_has_no_path_and_uses_cmd_as_shell()
    {
        var state = ImageConfigState.FromScratch(Platform.Parse("windows/amd64"), Options);
        var cmd = Build("FROM busybox\nCMD dir\n").Steps[0].Instruction;

        state.Apply(cmd);

        Assert.Null(state.Config.Config!.Env);
        Assert.Equal(["cmd", "/S", "/C", "dir"], state.Config.Config.Cmd);
        Assert.Equal("/", state.Config.Config.WorkingDir);
    }

    [Fact]
    public void Prepare_run_does_not_change_the_state()
    {
        var state = Build("FROM busybox\nARG A=1\nWORKDIR /w\n");
        var run = (RunInstruction)Build("FROM busybox\nRUN echo $A\n").Steps[0].Instruction;

        var spec = state.PrepareRun(run);

        Assert.Equal(new[] { "/bin/sh", "-c", "echo $A" }, spec.Args);
        Assert.Equal(new[] { "PATH=/bin", "A=1" }, spec.Environment);
        Assert.Equal("/w", spec.WorkingDirectory);
        Assert.Equal(2, state.Steps.Count);
    }

    [Fact]
    public void Proxy_values_give_both_spellings_and_a_lower_case_name_wins()
    {
        var options = Options with
        {
            ProxyArgs = [new("http_proxy", "lower"), new("HTTP_PROXY", "upper"), new("ALL_PROXY", ""), new("FTP_PROXY", "ftp")],
        };
        var state = ImageConfigState.FromImage(Busybox, options);
        var run = (RunInstruction)Build("FROM busybox\nRUN true\n").Steps[0].Instruction;

        var spec = state.PrepareRun(run);

        Assert.Equal(new[] { "PATH=/bin", "HTTP_PROXY=lower", "http_proxy=lower", "FTP_PROXY=ftp", "ftp_proxy=ftp" }, spec.Environment);
        Assert.Equal("RUN /bin/sh -c true # buildkit", state.Apply(run).History!.CreatedBy);
    }

    [Fact]
    public void Fields_unknown_to_buildkit_do_not_reach_the_new_config()
    {
        var json = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"docker_version\":\"1\",\"config\":{\"Hostname\":\"h\"},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[{\"created_by\":\"x\",\"extra\":1}]}";
        var baseImage = RawJson<ImageConfigFile>.Parse(Encoding.UTF8.GetBytes(json)).Value;

        var written = Encoding.UTF8.GetString(OciJson.SerializeToUtf8Bytes(ImageConfigState.FromImage(baseImage, Options).Config, ImageConfigFile.JsonTypeInfo));

        Assert.DoesNotContain("docker_version", written, StringComparison.Ordinal);
        Assert.DoesNotContain("Hostname", written, StringComparison.Ordinal);
        Assert.DoesNotContain("extra", written, StringComparison.Ordinal);
    }

    [Fact]
    public void Go_zero_values_are_left_out_of_the_config()
    {
        var state = ImageConfigState.FromImage(Busybox with
        {
            Config = new ContainerConfig { Env = ["PATH=/bin"], Cmd = [], User = "", WorkingDir = "", ArgsEscaped = false },
        }, Options);

        var config = state.Config.Config!;

        Assert.Null(config.Cmd);
        Assert.Null(config.User);
        Assert.Null(config.WorkingDir);
        Assert.Null(config.ArgsEscaped);
    }
}

public class ImageConfigStateExpansionTests
{
    private static readonly ImageConfigFile Base = new()
    {
        Architecture = "amd64",
        Os = "linux",
        Config = new ContainerConfig { Env = ["PATH=/usr/bin", "HOME=/home/u"] },
    };

    private static (BuildPlan Plan, PlanRequest Request) Plan(string dockerfile, params string[] buildArgs)
    {
        var request = new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64"), BuildArgs = BuildArguments.Parse(buildArgs, _ => null) };
        return (KanikoPlanner.Plan(Encoding.UTF8.GetBytes(dockerfile), "Dockerfile", request), request);
    }

    [Fact]
    public void A_planned_step_is_expanded_again_with_the_base_environment()
    {
        var (plan, request) = Plan("FROM base\nENV PATH=/opt:$PATH\n");
        var state = ImageConfigState.FromImage(Base, ConfigStateOptions.For(plan, request, ConfigStateCase.Created));

        state.Apply(plan.Target.Steps[0]);

        Assert.Equal(["PATH=/opt:/usr/bin", "HOME=/home/u"], state.Config.Config!.Env);
    }

    [Fact]
    public void An_expanded_instruction_is_applied_as_given()
    {
        var (plan, request) = Plan("FROM base\nENV PATH=/opt:$PATH\n");
        var state = ImageConfigState.FromImage(Base, ConfigStateOptions.For(plan, request, ConfigStateCase.Created));

        state.Apply(plan.Target.Steps[0].Expanded);

        Assert.Equal(["PATH=/opt:", "HOME=/home/u"], state.Config.Config!.Env);
    }

    [Fact]
    public void Arguments_are_resolved_again_from_the_request_and_the_global_scope()
    {
        var (plan, request) = Plan("ARG G=global\nFROM base\nARG GIVEN=$HOME A=$HOME/a B=$A/b G\n", "GIVEN=cli");
        var state = ImageConfigState.FromImage(Base, ConfigStateOptions.For(plan, request, ConfigStateCase.Created));

        var step = state.Apply(plan.Target.Steps[0]);

        Assert.Equal("ARG GIVEN=cli A=/home/u/a B=/home/u/a/b G=global", step.History!.CreatedBy);
        Assert.Equal(
            [new("GIVEN", "cli"), new("A", "/home/u/a"), new("B", "/home/u/a/b"), new KeyValuePair<string, string>("G", "global")],
            state.BuildArgs);
    }

    [Fact]
    public void Plans_carry_the_escape_character()
    {
        var (plan, _) = Plan("# escape=`\nFROM base\n");

        Assert.Equal('`', plan.EscapeToken);
    }
}
