using System.Runtime.Versioning;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The step lines a build reports, and the history it records, for steps that read variables of the base image's
/// <c>Env</c> (which the planner cannot see): <c>USER $APP_UID</c> on a base that sets <c>APP_UID</c>, as the .NET
/// images do.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class StepLineBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_variable_of_the_base_image_env_is_expanded_in_the_step_line_and_the_history()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nENV APP_UID=1654 APP_DIR=/app\n");
        var baseImage = _build.NewReference("app-uid-base");
        await _build.BuildAsync(_build.Request(baseImage));
        _build.Write("Dockerfile", $"FROM {baseImage}\nUSER $APP_UID\nWORKDIR $APP_DIR\nENV HOME_OF=${{APP_DIR}}/home\n");
        var reference = _build.NewReference("app-uid");

        await _build.BuildAsync(_build.Request(reference));

        var lines = _build.Events.OfType<StepStartedEvent>().Select(e => e.ToString()).ToList();
        Assert.Contains("[1/1] STEP 2/4: USER 1654", lines);
        Assert.Contains("[1/1] STEP 3/4: WORKDIR /app", lines);
        Assert.Contains("[1/1] STEP 4/4: ENV HOME_OF=/app/home", lines);
        var config = await BuildHarness.ConfigAsync(reference);
        Assert.Equal("1654", config.GetProperty("config").GetProperty("User").GetString());
        var history = config.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("created_by").GetString()).ToList();
        // BuildKit's history holds the expanded user (dispatchUser formats the instruction after its expansion).
        Assert.Equal(["USER 1654", "WORKDIR /app", "ENV HOME_OF=/app/home"], history.TakeLast(3));
    }
}
