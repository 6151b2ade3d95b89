using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Execution.Mounts;

/// <summary>Cache folders and their sharing modes, kept with file locks.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CacheMountStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("kaniko-cache-");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void FolderName_IsReadable_AndDistinctForEveryId()
    {
        var slash = CacheMountStore.FolderName("/root/.cache/go-build", "");
        var underscore = CacheMountStore.FolderName("root_.cache_go-build", "");

        Assert.StartsWith("root_.cache_go-build-", slash, StringComparison.Ordinal);
        Assert.NotEqual(slash, underscore);
        Assert.NotEqual(slash, CacheMountStore.FolderName("/root/.cache/go-build", "from"));
        Assert.True(CacheMountStore.FolderName(new string('x', 500), "").Length < 100);
    }

    [Fact]
    public async Task Shared_StepsUseTheSameFolderAtOnce()
    {
        var store = new CacheMountStore(_directory.Path);

        using var first = await AcquireAsync(store, CacheSharing.Shared);
        using var second = await AcquireAsync(store, CacheSharing.Shared);

        Assert.Equal(first.Directory, second.Directory);
        Assert.True(Directory.Exists(first.Directory));
    }

    [Fact]
    public async Task Shared_StepsCreatingTheSameNewCacheAtOnce_BothGetIt()
    {
        var store = new CacheMountStore(_directory.Path);
        async Task Seed(string path, CancellationToken token)
        {
            Directory.CreateDirectory(path);
            await Task.Delay(200, token);
        }

        var first = store.AcquireAsync("new", "", CacheSharing.Shared, null, null, Seed, Token);
        var second = store.AcquireAsync("new", "", CacheSharing.Shared, null, null, Seed, Token);
        using var a = await first;
        using var b = await second;

        Assert.Equal(a.Directory, b.Directory);
        Assert.True(Directory.Exists(a.Directory));
        Assert.Equal(["0", "0.lock"], Directory.GetFileSystemEntries(Path.GetDirectoryName(a.Directory)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Locked_WaitsUntilTheHolderIsDone()
    {
        var store = new CacheMountStore(_directory.Path);
        var first = await AcquireAsync(store, CacheSharing.Locked);

        var waiting = AcquireAsync(store, CacheSharing.Locked);
        await Task.Delay(300, Token);
        Assert.False(waiting.IsCompleted);
        first.Dispose();
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(first.Directory, second.Directory);
    }

    [Fact]
    public async Task Locked_StopsWaitingWhenCancelled()
    {
        var store = new CacheMountStore(_directory.Path);
        using var first = await AcquireAsync(store, CacheSharing.Locked);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.AcquireAsync("id", "", CacheSharing.Locked, null, null, null, cancel.Token));
    }

    [Fact]
    public async Task Private_GetsItsOwnInstanceWhileAnotherStepHoldsOne()
    {
        var store = new CacheMountStore(_directory.Path);

        var first = await AcquireAsync(store, CacheSharing.Private);
        using var second = await AcquireAsync(store, CacheSharing.Private);
        first.Dispose();
        using var third = await AcquireAsync(store, CacheSharing.Private);

        Assert.NotEqual(first.Directory, second.Directory);
        Assert.Equal(first.Directory, third.Directory);
    }

    [Fact]
    public async Task NewInstance_GetsItsModeAndSeed_AndAFailedSeedLeavesNothing()
    {
        var store = new CacheMountStore(_directory.Path);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            store.AcquireAsync("seeded", "", CacheSharing.Shared, null, null, (_, _) => throw new InvalidOperationException("boom"), Token));
        using var lease = await store.AcquireAsync("seeded", "", CacheSharing.Shared, null, (UnixFileMode)0x1C0, (path, _) =>
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "seed"), "x");
            return Task.CompletedTask;
        }, Token);

        Assert.True(File.Exists(Path.Combine(lease.Directory, "seed")));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(lease.Directory));
        Assert.Equal(["0", "0.lock"], Directory.GetFileSystemEntries(Path.GetDirectoryName(lease.Directory)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public void Dispose() => _directory.Dispose();

    private static Task<CacheMountLease> AcquireAsync(CacheMountStore store, CacheSharing sharing) =>
        store.AcquireAsync("id", "", sharing, null, null, null, Token);
}
