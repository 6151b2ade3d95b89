using System.Runtime.Versioning;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The byte-progress events of a real build: the base layer downloaded into the cache (a <c>COPY --chown=name</c>
/// needs the base's /etc/passwd) and every blob uploaded to the registry, each started, finished, and never
/// carrying more than the registry host and repository.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class TransferEventTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_build_reports_the_base_layer_pull_and_each_upload()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nCOPY --chown=nobody:nogroup app.bin /srv/\n");
        // Big enough (random, so gzip cannot shrink it) that the upload takes several reads.
        File.WriteAllBytes(Path.Combine(_build.ContextDirectory, "app.bin"), RandomBytes(4 << 20));
        var reference = _build.NewReference("transfer");

        var result = await _build.BuildAsync(_build.Request(reference));

        var events = Snapshot();
        var pulls = events.OfType<BlobTransferFinishedEvent>().Where(e => e.Direction == BlobTransferDirection.Pull).ToList();
        var baseLayer = Assert.Single(pulls);
        Assert.Equal(RepositoryOf(busybox.Reference), baseLayer.Repository.ToString());
        Assert.Contains(events.OfType<BlobTransferStartedEvent>(), e => e.Direction == BlobTransferDirection.Pull && e.Digest == baseLayer.Digest.ToString() && e.Size == baseLayer.Size);

        // The new layer and the config are uploaded; the base layer is mounted or already there, so it sends nothing.
        var uploaded = result.PushedBlobs.Where(b => b.Outcome == BlobPushOutcome.Uploaded).Select(b => b.Digest.ToString()).ToHashSet();
        var pushes = events.OfType<BlobTransferFinishedEvent>().Where(e => e.Direction == BlobTransferDirection.Push).ToList();
        Assert.Equal(uploaded, pushes.Select(p => p.Digest).ToHashSet());
        Assert.DoesNotContain(baseLayer.Digest.ToString(), uploaded);
        var layer = pushes.MaxBy(p => p.Size)!;
        Assert.True(layer.Size > 4 << 20);
        Assert.All(pushes, p => Assert.Equal(RepositoryOf(reference), p.Repository.ToString()));

        // Progress ends at the blob's size and never goes past it; never one event per read buffer.
        var progress = events.OfType<BlobTransferProgressEvent>().Where(e => e.Digest == layer.Digest).ToList();
        Assert.NotEmpty(progress);
        Assert.Equal(layer.Size, progress[^1].Transferred);
        Assert.All(progress, p => Assert.InRange(p.Transferred, 0, layer.Size));
        Assert.True(progress.Count < 64, $"{progress.Count} progress events for one 4 MiB blob");

        Assert.Equal(2, result.LayerCount);
        Assert.Equal(1, result.ReusedLayerCount);
        Assert.All(events.OfType<BlobTransferStartedEvent>(), e => Assert.DoesNotContain("@", e.Repository.ToString(), StringComparison.Ordinal));
    }

    private List<BuildEvent> Snapshot()
    {
        lock (_build.Events)
        {
            return [.. _build.Events];
        }
    }

    // host:port/path:tag without the tag.
    private static string RepositoryOf(string reference) => reference[..reference.LastIndexOf(':')];

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
