using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Storage;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Storage;

/// <summary>
/// The layer store shared by builds: one unpack per layer even when two stores race for it, a writer killed with
/// SIGKILL while it holds the layer's lock and has half a folder written, and least-recently-used eviction that
/// never takes a layer a build holds.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LayerStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("kaniko-layer-store-");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Digest DiffIdOf(string text) => Digest.FromParts("sha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));

    private static Func<string, CancellationToken, Task> Writes(int bytes, Action? counted = null, TimeSpan? delay = null) => async (folder, token) =>
    {
        counted?.Invoke();
        Directory.CreateDirectory(Path.Combine(folder, "usr"));
        if (delay is { } wait)
        {
            await Task.Delay(wait, token);
        }

        await File.WriteAllBytesAsync(Path.Combine(folder, "usr", "data"), new byte[bytes], token);
    };

    [Fact]
    public async Task Two_stores_unpacking_one_layer_at_once_unpack_it_once_and_share_the_folder()
    {
        var diffId = DiffIdOf("shared");
        var unpacks = 0;
        var unpack = Writes(100, () => Interlocked.Increment(ref unpacks), TimeSpan.FromMilliseconds(300));
        var first = new LayerStore(_temp.Path, 0).AcquireAsync(diffId, unpack, Cancellation);
        var second = new LayerStore(_temp.Path, 0).AcquireAsync(diffId, unpack, Cancellation);

        using var a = await first;
        using var b = await second;

        Assert.Equal(1, unpacks);
        Assert.Equal(a.Directory, b.Directory);
        Assert.Equal(100, new FileInfo(Path.Combine(a.Directory, "usr", "data")).Length);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_temp.Path, "layer-store", "v1", "incoming")));
    }

    [Fact]
    public async Task A_writer_killed_with_SIGKILL_half_way_is_replaced_and_its_half_folder_never_used()
    {
        if (!File.Exists("/usr/bin/flock"))
        {
            Assert.Skip("needs flock(1) (util-linux)");
        }

        var store = new LayerStore(_temp.Path, 0);
        var diffId = DiffIdOf("killed");
        var name = "sha256-" + diffId.Encoded;
        var root = store.Root;
        foreach (var folder in new[] { "locks", "incoming", "entries" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        // Another process follows the store's protocol: it takes the layer's lock, starts its folder in incoming/,
        // writes half of it, and is killed there.
        var half = Path.Combine(root, "incoming", name + ".writer");
        using var writer = Process.Start(new ProcessStartInfo("/usr/bin/flock",
            [Path.Combine(root, "locks", name + ".lock"), "/bin/sh", "-c", $"mkdir -p '{half}/usr' && echo half > '{half}/usr/data' && touch '{half}.started' && exec sleep 60"]))!;
        while (!File.Exists(half + ".started"))
        {
            Assert.False(writer.HasExited, "the writer stopped before it took the lock");
            await Task.Delay(20, Cancellation);
        }

        var unpacks = 0;
        var acquiring = store.AcquireAsync(diffId, Writes(10, () => Interlocked.Increment(ref unpacks)), Cancellation);
        await Task.Delay(300, Cancellation);
        Assert.False(acquiring.IsCompleted, "the store must wait while another process holds the layer's lock");

        writer.Kill(entireProcessTree: true);
        await writer.WaitForExitAsync(Cancellation);
        using var lease = await acquiring;

        Assert.Equal(1, unpacks);
        Assert.Equal(10, new FileInfo(Path.Combine(lease.Directory, "usr", "data")).Length);
        Assert.False(Directory.Exists(half));
        Assert.Equal(store.PathOf(diffId), lease.Directory);
    }

    [Fact]
    public async Task Eviction_removes_the_least_recently_used_layers_nobody_holds()
    {
        var store = new LayerStore(_temp.Path, sizeLimit: 2500);
        var (oldest, held, newest) = (DiffIdOf("oldest"), DiffIdOf("held"), DiffIdOf("newest"));
        (await store.AcquireAsync(oldest, Writes(1000), Cancellation)).Dispose();
        await Task.Delay(20, Cancellation);
        using var holding = await store.AcquireAsync(held, Writes(1000), Cancellation);
        await Task.Delay(20, Cancellation);
        (await store.AcquireAsync(newest, Writes(1000), Cancellation)).Dispose();

        var listed = store.List();
        Assert.Equal([held, newest], listed.Select(e => e.DiffId));
        Assert.Equal([true, false], listed.Select(e => e.InUse));
        Assert.Equal(2000, listed.Sum(e => e.Size));
        Assert.False(Directory.Exists(store.PathOf(oldest)));

        var pruned = store.Prune(0);
        Assert.Equal([newest], pruned.Removed.Select(e => e.DiffId));
        Assert.Equal(1000, pruned.KeptBytes);
        Assert.True(File.Exists(Path.Combine(holding.Directory, "usr", "data")));
    }

    [Fact]
    public async Task The_two_forms_keep_a_layer_apart_and_are_pruned_together_least_recently_used_first()
    {
        var (root, rootless) = (new LayerStore(_temp.Path, 0), new LayerStore(_temp.Path, 0, OverlayForm.UserXattr));
        var (older, newer) = (DiffIdOf("older"), DiffIdOf("newer"));
        (await rootless.AcquireAsync(older, Writes(1000), Cancellation)).Dispose();
        await Task.Delay(20, Cancellation);
        (await root.AcquireAsync(newer, Writes(1000), Cancellation)).Dispose();
        await Task.Delay(20, Cancellation);
        (await rootless.AcquireAsync(newer, Writes(1000), Cancellation)).Dispose();

        Assert.NotEqual(root.PathOf(newer), rootless.PathOf(newer));
        Assert.Equal([older, newer], rootless.List().Select(e => e.DiffId));
        Assert.Equal([newer], root.List().Select(e => e.DiffId));

        var pruned = LayerStore.PruneTogether([root, rootless], 2000);
        Assert.Equal([rootless.PathOf(older)], pruned.Removed.Select(e => e.Directory));
        Assert.Equal(2000, pruned.KeptBytes);
        Assert.True(Directory.Exists(root.PathOf(newer)) && Directory.Exists(rootless.PathOf(newer)));
    }
}
