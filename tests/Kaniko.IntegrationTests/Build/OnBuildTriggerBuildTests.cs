using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>The <c>ONBUILD</c> triggers of a base image (built and pushed by this builder) run before the stage's own steps.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class OnBuildTriggerBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task The_base_triggers_run_first_and_are_not_inherited()
    {
        var baseReference = await BuildBaseAsync("ONBUILD COPY a.txt /a.txt\nONBUILD ENV X=1\n");
        var baseConfig = await RawConfigAsync(baseReference);
        Assert.True(baseConfig.GetProperty("config").TryGetProperty("OnBuild", out var triggers), baseConfig.ToString());
        Assert.Equal(2, triggers.GetArrayLength());
        _build.Write("a.txt", "from the context\n");
        _build.Write("Dockerfile", $"FROM {baseReference}\nENV Y=${{X}}2\n");
        var reference = _build.NewReference("onbuild");

        await _build.BuildAsync(_build.Request(reference));

        var config = await RawConfigAsync(reference);
        var env = config.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("X=1", env);
        Assert.Contains("Y=12", env);
        Assert.False(config.GetProperty("config").TryGetProperty("OnBuild", out var onBuild) && onBuild.ValueKind == JsonValueKind.Array && onBuild.GetArrayLength() > 0);
        var history = config.GetProperty("history").EnumerateArray().Select(h => h.TryGetProperty("created_by", out var c) ? c.GetString() : null).ToList();
        Assert.Contains(history, h => h is not null && h.Contains("COPY a.txt /a.txt", StringComparison.Ordinal));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("from the context\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "a.txt"), BuildHarness.Cancellation));
        Assert.Equal("base\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "base.txt"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_failing_trigger_names_the_base_image_and_the_trigger()
    {
        var baseReference = await BuildBaseAsync("ONBUILD COPY missing.txt /missing.txt\n");
        _build.Write("Dockerfile", $"FROM {baseReference}\n");

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.StartsWith("Dockerfile:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(baseReference, error.Message, StringComparison.Ordinal);
        Assert.Contains("COPY missing.txt /missing.txt", error.Message, StringComparison.Ordinal);
    }

    // skopeo's parsed config follows the OCI fields only and drops Docker's OnBuild: read the blob as written.
    private static async Task<JsonElement> RawConfigAsync(string reference)
    {
        using var document = await BuildHarness.SkopeoJsonAsync("inspect", "--tls-verify=false", "--config", "--raw", "docker://" + reference);
        return document.RootElement.Clone();
    }

    private async Task<string> BuildBaseAsync(string triggers)
    {
        _build.Write("base.txt", "base\n");
        _build.Write("Dockerfile", "FROM scratch\nCOPY base.txt /base.txt\n" + triggers);
        var reference = _build.NewReference("onbuild-base");
        await _build.BuildAsync(_build.Request(reference));
        return reference;
    }
}
