using System.Text;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Caching;

public sealed class BlobStoreTests : IDisposable
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("hello, content-addressed world\n");
    private static readonly Digest ContentDigest = Digest.Compute(Content);

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task A_blob_is_stored_under_its_digest_and_read_back()
    {
        var store = new BlobStore(_root.Path);

        var path = await store.EnsureAsync(ContentDigest, Content.Length, Source(Content), TestContext.Current.CancellationToken);

        Assert.Equal(Path.Combine(_root.Path, "blobs", "sha256", ContentDigest.Encoded), path);
        Assert.True(store.Contains(ContentDigest));
        await using var read = store.TryOpenRead(ContentDigest)!;
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(Content, copy.ToArray());
    }

    [Fact]
    public async Task A_stored_blob_is_not_fetched_again()
    {
        var store = new BlobStore(_root.Path);
        await store.EnsureAsync(ContentDigest, Content.Length, Source(Content), TestContext.Current.CancellationToken);

        var opened = 0;
        await store.EnsureAsync(ContentDigest, Content.Length, _ => { opened++; return Task.FromResult<Stream>(new MemoryStream(Content)); }, TestContext.Current.CancellationToken);

        Assert.Equal(0, opened);
    }

    [Fact]
    public async Task Content_with_the_wrong_digest_is_rejected_and_leaves_nothing_behind()
    {
        var store = new BlobStore(_root.Path);
        var wrong = Encoding.UTF8.GetBytes("something else entirely, same length!!\n")[..Content.Length];

        await Assert.ThrowsAnyAsync<KanikoException>(() =>
            store.EnsureAsync(ContentDigest, Content.Length, Source(wrong), TestContext.Current.CancellationToken));

        Assert.False(store.Contains(ContentDigest));
        Assert.Empty(Directory.EnumerateFiles(_root.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Truncated_content_is_rejected()
    {
        var store = new BlobStore(_root.Path);

        await Assert.ThrowsAnyAsync<KanikoException>(() =>
            store.EnsureAsync(ContentDigest, Content.Length, Source(Content[..^3]), TestContext.Current.CancellationToken));

        Assert.False(store.Contains(ContentDigest));
    }

    [Fact]
    public async Task Concurrent_writers_of_the_same_blob_all_succeed()
    {
        // Several builds (or processes) sharing one cache may fetch the same base layer at once.
        var big = new byte[3 << 20];
        new Random(7).NextBytes(big);
        var digest = Digest.Compute(big);
        var stores = Enumerable.Range(0, 8).Select(_ => new BlobStore(_root.Path)).ToArray();

        var paths = await Task.WhenAll(stores.Select(s => Task.Run(() =>
            s.EnsureAsync(digest, big.Length, Source(big), TestContext.Current.CancellationToken))));

        Assert.Single(paths.Distinct());
        Assert.Equal(big, await File.ReadAllBytesAsync(paths[0], TestContext.Current.CancellationToken));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root.Path, "incoming")));
    }

    [Fact]
    public async Task A_blob_corrupted_on_disk_fails_when_read()
    {
        var store = new BlobStore(_root.Path);
        var path = await store.EnsureAsync(ContentDigest, Content.Length, Source(Content), TestContext.Current.CancellationToken);
        var corrupted = (byte[])Content.Clone();
        corrupted[0] ^= 0xff;
        await File.WriteAllBytesAsync(path, corrupted, TestContext.Current.CancellationToken);

        await using var read = store.TryOpenRead(ContentDigest)!;
        await Assert.ThrowsAnyAsync<KanikoException>(() => read.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void A_missing_blob_opens_as_null()
    {
        Assert.Null(new BlobStore(_root.Path).TryOpenRead(ContentDigest));
    }

    [Fact]
    public void Stale_incoming_files_are_removed_and_fresh_ones_kept()
    {
        var store = new BlobStore(_root.Path);
        var incoming = Directory.CreateDirectory(Path.Combine(_root.Path, "incoming")).FullName;
        var stale = Path.Combine(incoming, "stale");
        var fresh = Path.Combine(incoming, "fresh");
        File.WriteAllText(stale, "x");
        File.WriteAllText(fresh, "y");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));

        store.RemoveStaleIncoming(TimeSpan.FromHours(1));

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    private static Func<CancellationToken, Task<Stream>> Source(byte[] bytes) =>
        _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
}
