using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Storage;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Storage;

/// <summary>
/// A stage's layers unpacked into the layer store at once: a layer that writes into a directory it does not list
/// still takes that directory's metadata from the layers below, even when it is done before them, and the headers of
/// the layers unpacked are kept for the next tree read. Nothing is mounted: <see cref="OverlayStageRoot.PrepareAsync"/>
/// only fills the store.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OverlayStageRootTests : IDisposable
{
    private static readonly DateTimeOffset Time = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("kaniko-stage-root-");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_layer_done_before_the_layer_below_waits_for_it_to_give_its_unlisted_directories_their_metadata()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Skip("owners are kept as root only");
        }

        // The lower layer lists a/b (0700, 5:6) and is large; the upper one writes a/b/c without listing a or a/b, and
        // is written into the store's incoming folder while the lower one is held back, so it is done first.
        var incoming = _temp.Combine("cache", "layer-store", "v1", "incoming");
        var upperWritten = Task.Run(async () =>
        {
            while (!(Directory.Exists(incoming) && Directory.EnumerateFiles(incoming, "c", SearchOption.AllDirectories).Any()))
            {
                await Task.Delay(10, Cancellation);
            }
        }, Cancellation);
        var lower = new HeldLayer(await WriteLayerAsync("lower", writer =>
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "a/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = Time });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "a/b/") { Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, Uid = 5, Gid = 6, ModificationTime = Time });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "big") { Mode = UnixFileMode.UserRead, ModificationTime = Time, DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(2 << 20)) });
        }), upperWritten);
        var upper = new HeldLayer(await WriteLayerAsync("upper", writer =>
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "a/b/c") { Mode = UnixFileMode.UserRead, ModificationTime = Time, DataStream = new MemoryStream("c"u8.ToArray()) })), Task.CompletedTask);
        var store = new LayerStore(_temp.Combine("cache"), 0);
        var headers = new LayerHeaderCache(_temp.Combine("cache"));
        using var root = new OverlayStageRoot(store, OverlayRung.KernelOverlay, _temp.Combine("ov"), NullBuildEventSink.Instance, headers);

        await root.PrepareAsync([lower, upper], Cancellation).WaitAsync(TimeSpan.FromMinutes(2), Cancellation);

        Assert.True(Directory.Exists(store.PathOf(lower.DiffId)));
        var b = Path.Combine(store.PathOf(upper.DiffId), "a", "b");
        Assert.True(LibC.TryLstat(b, out var stat));
        Assert.Equal(5, (int)stat.Uid);
        Assert.Equal(6, (int)stat.Gid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(b));
        Assert.Equal("c", await File.ReadAllTextAsync(Path.Combine(b, "c"), Cancellation));
        // The large layer's headers were kept as it was unpacked: a tree read finds them without reading it again.
        Assert.True(File.Exists(headers.PathOf(lower.Digest)));
        var tree = await ImageSnapshotTree(headers, [lower, upper]);
        Assert.Equal(["a", "a/b", "a/b/c", "big"], tree);
    }

    private static async Task<string[]> ImageSnapshotTree(LayerHeaderCache headers, ILayer[] layers)
    {
        var all = await LayerHeaderCache.GetAllAsync(headers, layers, Cancellation);
        return [.. all.SelectMany(h => h).Select(h => h.Name.TrimEnd('/')).Distinct().Order(StringComparer.Ordinal)];
    }

    private async Task<ILayer> WriteLayerAsync(string name, Action<TarWriter> write)
    {
        var path = _temp.Combine(name + ".tar.gz");
        await using (var file = File.Create(path))
        {
            await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            using var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            write(writer);
        }

        return await FileBackedLayer.FromFileAsync(path, MediaType.OciLayerGzip, Cancellation);
    }

    // A layer whose uncompressed stream opens only once the test lets it.
    private sealed class HeldLayer(ILayer inner, Task release) : ILayer
    {
        public Digest Digest => inner.Digest;

        public Digest DiffId => inner.DiffId;

        public long Size => inner.Size;

        public MediaType MediaType => inner.MediaType;

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);

        public async Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken)
        {
            await release.WaitAsync(cancellationToken);
            return await inner.OpenUncompressedAsync(cancellationToken);
        }
    }
}
