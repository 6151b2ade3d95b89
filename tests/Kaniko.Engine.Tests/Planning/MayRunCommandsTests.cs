using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Planning;

/// <summary>
/// <see cref="KanikoPlanner.MayRunCommands"/>, which lets the CLI start a build without a private mount namespace:
/// false only when no stage the build needs has a <c>RUN</c> and the context is a local folder; any doubt is true, and
/// a line that starts with <c>RUN</c> answers true without planning.
/// </summary>
public sealed class MayRunCommandsTests : IDisposable
{
    private readonly TempDirectory _context = new("kaniko-may-run-");

    public void Dispose() => _context.Dispose();

    [Fact]
    public void A_copy_only_build_runs_nothing() =>
        Assert.False(MayRun("FROM busybox\nWORKDIR /app\nCOPY . .\nUSER 1000\n"));

    [Fact]
    public void A_run_step_in_the_target_may_run() =>
        Assert.True(MayRun("FROM busybox\nCOPY . .\nRUN true\n"));

    [Fact]
    public void A_run_step_in_a_stage_the_target_copies_from_may_run() =>
        Assert.True(MayRun("FROM busybox AS build\nRUN echo hi > /out\nFROM scratch\nCOPY --from=build /out /out\n"));

    [Fact]
    public void A_run_step_in_the_base_stage_may_run() =>
        Assert.True(MayRun("FROM busybox AS base\nRUN true\nFROM base\nCOPY . .\n"));

    [Fact]
    public void An_onbuild_run_of_a_base_stage_in_the_dockerfile_runs_in_the_stage_that_starts_from_it() =>
        Assert.True(MayRun("FROM busybox AS base\nONBUILD RUN true\nFROM base\nCOPY . .\n"));

    [Theory]
    [InlineData("FROM busybox\nrun true\n")]
    [InlineData("FROM busybox\n  RUN\ttrue\n")]
    [InlineData("FROM busybox AS unused\nRUN true\nFROM busybox\nCOPY . .\n")]
    public void A_line_that_starts_with_run_may_run_without_planning(string dockerfile) =>
        Assert.True(MayRun(dockerfile));

    [Theory]
    [InlineData("FROM busybox\n# RUN in a comment\nCOPY runtime/ /runtime/\nENTRYPOINT [\"dotnet\", \"run\"]\n")]
    [InlineData("FROM busybox AS base\nONBUILD RUN true\nFROM busybox\nCOPY . .\n")]
    public void Without_such_a_line_the_plan_decides(string dockerfile) =>
        Assert.False(MayRun(dockerfile));

    [Fact]
    public void An_onbuild_run_of_a_stage_after_the_chosen_target_runs_nothing() =>
        Assert.False(MayRun("FROM busybox AS base\nONBUILD RUN true\nFROM busybox AS app\nCOPY . .\nFROM base AS test\n", request => request with { Target = "app" }));

    [Fact]
    public void A_run_step_on_any_of_several_platforms_may_run()
    {
        const string dockerfile =
            "FROM busybox AS base\nONBUILD RUN true\nFROM base AS build-amd64\nFROM busybox AS build-arm64\nFROM build-${TARGETARCH}\nCOPY . .\n";

        Assert.False(MayRun(dockerfile, request => request with { Platforms = ["linux/arm64"] }));
        Assert.True(MayRun(dockerfile, request => request with { Platforms = ["linux/arm64", "linux/amd64"] }));
    }

    [Fact]
    public void A_dockerfile_that_cannot_be_planned_may_run() =>
        Assert.True(MayRun("FROM busybox\nCOPY --from=missing / /\nNOT-AN-INSTRUCTION x\n"));

    [Fact]
    public void A_missing_dockerfile_may_run() =>
        Assert.True(KanikoPlanner.MayRunCommands(new BuildRequest { Context = _context.Path }));

    [Theory]
    [InlineData("git://example.invalid/repo.git")]
    [InlineData("https://example.invalid/context.tar.gz")]
    [InlineData("tar://context.tar.gz")]
    [InlineData("-")]
    [InlineData("s3://bucket/context.tar.gz")]
    public void A_context_that_is_not_a_local_folder_is_not_fetched_and_may_run(string context)
    {
        var opened = false;

        Assert.True(KanikoPlanner.MayRunCommands(new BuildRequest { Context = context, StandardInput = () => { opened = true; return Stream.Null; } }));
        Assert.False(opened);
    }

    [Fact]
    public void A_local_folder_named_with_the_dir_scheme_is_read() =>
        Assert.False(MayRun("FROM scratch\nCOPY . .\n", request => request with { Context = "dir://" + _context.Path }));

    private bool MayRun(string dockerfile, Func<BuildRequest, BuildRequest>? adjust = null)
    {
        File.WriteAllText(_context.Combine("Dockerfile"), dockerfile);
        var request = new BuildRequest { Context = _context.Path };
        return KanikoPlanner.MayRunCommands(adjust is null ? request : adjust(request));
    }
}
