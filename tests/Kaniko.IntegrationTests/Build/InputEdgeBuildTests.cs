using System.Runtime.Versioning;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>Inputs at the edges (odd file names, odd bytes, owners the stage does not know), built as BuildKit builds them.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class InputEdgeBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_context_file_whose_name_holds_a_newline_is_copied_and_seen_by_run()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY data/ /data/
            RUN cat /data/two* > /copy.txt
            """);
        _build.Write("data/two\nlines.txt", "newline name\n");
        var reference = _build.NewReference("newline-name");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Contains(layers[1], e => e.Name == "data/two\nlines.txt");
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("newline name\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "copy.txt"), BuildHarness.Cancellation));
        Assert.Equal("newline name\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "data", "two\nlines.txt"), BuildHarness.Cancellation));
    }
}
