using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary><c>RUN</c> steps on the busybox base: built, pushed to the registry and read back.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RunBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Shell_form_run_writes_its_changes_as_a_layer()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo hello > /greeting.txt && echo "said hello"
            """);
        var reference = _build.NewReference("run");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        var entry = Assert.Single(layers[1]);
        Assert.Equal(("greeting.txt", TarEntryType.RegularFile), (entry.Name, entry.Type));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "greeting.txt"), BuildHarness.Cancellation));
        var config = await BuildHarness.ConfigAsync(reference);
        var history = config.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("RUN /bin/sh -c echo hello > /greeting.txt && echo \"said hello\" # buildkit", history.GetProperty("created_by").GetString());
        Assert.False(history.TryGetProperty("empty_layer", out _));
        Assert.Contains(_build.Events, e => e is RunOutputEvent { Text: "said hello", Stream: SandboxOutputStream.StandardOutput });
        Assert.Single(_build.Events, e => e is MessageEvent m && m.Text.StartsWith("RUN isolation: ", StringComparison.Ordinal));
    }
}
