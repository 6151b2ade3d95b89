using System.Globalization;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Storage;

/// <summary>One unpacked layer of the store.</summary>
/// <param name="DiffId">The digest of the layer's uncompressed tar.</param>
/// <param name="Directory">The folder holding the layer's files.</param>
/// <param name="Size">The bytes its regular files take.</param>
/// <param name="LastUsed">When a build last used it.</param>
/// <param name="InUse">Whether a build holds it right now.</param>
internal sealed record LayerStoreEntry(Digest DiffId, string Directory, long Size, DateTimeOffset LastUsed, bool InUse);

/// <summary>What <see cref="LayerStore.Prune"/> removed.</summary>
/// <param name="Removed">The entries removed, oldest use first.</param>
/// <param name="KeptBytes">The bytes the store holds afterwards.</param>
internal sealed record LayerStorePruneResult(IReadOnlyList<LayerStoreEntry> Removed, long KeptBytes);

/// <summary>
/// Layers unpacked once, by DiffID, into folders under the cache directory
/// (<c>ROOT/layer-store/v1/entries/sha256-HEX</c>), as buildah's and BuildKit's stores keep them, so a stage's root can
/// be assembled from them (an overlay mount, <see cref="OverlayMount"/>) instead of unpacking its base again. Each
/// <see cref="OverlayForm"/> has a store of its own (<c>v1</c> for root of the machine, <c>v1-userxattr</c> inside a
/// user namespace): the kernel reads only one form's opaque attribute.
/// <list type="bullet">
/// <item>An entry is unpacked under a private name in <c>incoming/</c> and renamed into <c>entries/</c> when complete:
/// a folder in <c>entries/</c> is always whole. Half-written folders of a process that was killed are removed by the
/// next one that unpacks the same layer (it holds the layer's lock, so their writer is gone).</item>
/// <item>Each entry has a lock file (<c>flock</c>, released by the kernel when its holder dies): unpacking takes it
/// exclusively, so two builds never unpack one layer twice; using an entry takes it shared for as long as the
/// <see cref="LayerLease"/> lives, so eviction never removes a layer a build is using.</item>
/// <item>A size limit: after an entry is added, the least recently used entries nobody holds are removed until the
/// store fits (<see cref="Prune"/> does the same on demand).</item>
/// </list>
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class LayerStore
{
    private const string StoreFolder = "layer-store";
    private const string InfoSuffix = ".size";
    private static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A store under <paramref name="cacheDirectory"/> holding at most <paramref name="sizeLimit"/> bytes (0: no limit),
    /// its layers in <paramref name="form"/> (root of the machine's, <see cref="OverlayForm.Trusted"/>, when not given).
    /// </summary>
    public LayerStore(string cacheDirectory, long sizeLimit, OverlayForm? form = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentOutOfRangeException.ThrowIfNegative(sizeLimit);
        Form = form ?? OverlayForm.Trusted;
        Root = Path.Combine(Path.GetFullPath(cacheDirectory), StoreFolder, Form.StoreVersion);
        SizeLimit = sizeLimit;
    }

    /// <summary>The form its layers are kept in.</summary>
    public OverlayForm Form { get; }

    /// <summary>The store's folder.</summary>
    public string Root { get; }

    /// <summary>The most bytes the store keeps (0: no limit).</summary>
    public long SizeLimit { get; }

    private string Entries => Path.Combine(Root, "entries");

    private string Incoming => Path.Combine(Root, "incoming");

    private string Locks => Path.Combine(Root, "locks");

    private string Trash => Path.Combine(Root, "trash");

    /// <summary>Where the entry of <paramref name="diffId"/> lives (whether or not it is there).</summary>
    public string PathOf(Digest diffId) => Path.Combine(Entries, NameOf(diffId));

    /// <summary>
    /// The unpacked layer <paramref name="diffId"/>, held (shared) until the lease is disposed: the store's entry when
    /// it has one, else made now by <paramref name="unpack"/> (which fills the empty folder it is given). Waits while
    /// another build unpacks the same layer, then uses its result.
    /// </summary>
    public async Task<LayerLease> AcquireAsync(Digest diffId, Func<string, CancellationToken, Task> unpack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unpack);
        var name = NameOf(diffId);
        var entry = PathOf(diffId);
        foreach (var folder in (string[])[Entries, Incoming, Locks, Trash])
        {
            Directory.CreateDirectory(folder);
        }

        var lockPath = LockPathOf(name);
        // Never wait on one lock while the other would do: a build waiting to unpack a layer that another build has
        // just unpacked (and now holds shared) takes it shared instead of waiting for the holder to finish.
        while (true)
        {
            if (Directory.Exists(entry) && TryLock(lockPath, exclusive: false) is { } shared)
            {
                if (Directory.Exists(entry))
                {
                    Touch(name);
                    return new LayerLease(diffId, entry, shared);
                }

                // Evicted between the check and the lock: make it again.
                await shared.DisposeAsync().ConfigureAwait(false);
            }
            else if (!Directory.Exists(entry) && TryLock(lockPath, exclusive: true) is { } exclusive)
            {
                await using (exclusive.ConfigureAwait(false))
                {
                    if (!Directory.Exists(entry))
                    {
                        await UnpackAsync(name, entry, unpack, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (SizeLimit > 0)
                {
                    Evict([this], SizeLimit, keep: name);
                }

                continue;
            }

            await Task.Delay(LockPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every entry of the store, least recently used first.</summary>
    public IReadOnlyList<LayerStoreEntry> List()
    {
        if (!Directory.Exists(Entries))
        {
            return [];
        }

        var entries = new List<LayerStoreEntry>();
        foreach (var directory in Directory.EnumerateDirectories(Entries))
        {
            var name = Path.GetFileName(directory);
            if (!TryParseName(name, out var diffId))
            {
                continue;
            }

            var info = directory + InfoSuffix;
            var size = File.Exists(info) && long.TryParse(File.ReadAllText(info), NumberStyles.None, CultureInfo.InvariantCulture, out var known) ? known : SizeOf(directory);
            var lastUsed = File.Exists(info) ? File.GetLastWriteTimeUtc(info) : Directory.GetLastWriteTimeUtc(directory);
            entries.Add(new LayerStoreEntry(diffId, directory, size, new DateTimeOffset(lastUsed, TimeSpan.Zero), IsHeld(name)));
        }

        return [.. entries.OrderBy(e => e.LastUsed).ThenBy(e => e.Directory, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Removes the least recently used entries nobody holds until the store holds at most
    /// <paramref name="keepBytes"/> (0 removes every entry not in use), and what killed builds left half-written.
    /// </summary>
    public LayerStorePruneResult Prune(long keepBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keepBytes);
        return Evict([this], keepBytes, keep: null);
    }

    /// <summary>
    /// <see cref="Prune"/> over several stores of one cache directory (its forms) as if they were one: the least
    /// recently used entries of any of them go first, until all together hold at most <paramref name="keepBytes"/>.
    /// </summary>
    public static LayerStorePruneResult PruneTogether(IReadOnlyList<LayerStore> stores, long keepBytes)
    {
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentOutOfRangeException.ThrowIfNegative(keepBytes);
        return Evict(stores, keepBytes, keep: null);
    }

    private static LayerStorePruneResult Evict(IReadOnlyList<LayerStore> stores, long keepBytes, string? keep)
    {
        var entries = stores.SelectMany(store => store.List().Select(entry => (Store: store, Entry: entry)))
            .OrderBy(e => e.Entry.LastUsed).ThenBy(e => e.Entry.Directory, StringComparer.Ordinal).ToList();
        var total = entries.Sum(e => e.Entry.Size);
        var removed = new List<LayerStoreEntry>();
        foreach (var (store, entry) in entries)
        {
            if (total <= keepBytes && keepBytes > 0)
            {
                break;
            }

            if (Path.Combine(store.Entries, keep ?? "") != entry.Directory && store.TryRemove(entry))
            {
                total -= entry.Size;
                removed.Add(entry);
            }
        }

        foreach (var store in stores)
        {
            RemoveAbandoned(store.Trash);
        }

        return new LayerStorePruneResult(removed, total);
    }

    // Only an entry nobody holds goes; out of sight first (one rename), then deleted at leisure, so a reader never
    // sees a half-removed layer.
    private bool TryRemove(LayerStoreEntry entry)
    {
        var name = Path.GetFileName(entry.Directory);
        using var held = TryLock(LockPathOf(name), exclusive: true);
        if (held is null || !Directory.Exists(entry.Directory))
        {
            return false;
        }

        var doomed = Path.Combine(Trash, name + "." + Guid.NewGuid().ToString("N"));
        Directory.Move(entry.Directory, doomed);
        File.Delete(entry.Directory + InfoSuffix);
        StoreFolders.Remove(doomed);
        return true;
    }

    private async Task UnpackAsync(string name, string entry, Func<string, CancellationToken, Task> unpack, CancellationToken cancellationToken)
    {
        // We hold the layer's lock: any folder of this layer in incoming/ belongs to a writer that died.
        foreach (var stale in Directory.EnumerateDirectories(Incoming, name + ".*"))
        {
            StoreFolders.Remove(stale);
        }

        var staging = Path.Combine(Incoming, name + "." + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            await unpack(staging, cancellationToken).ConfigureAwait(false);
            var size = SizeOf(staging);
            await File.WriteAllTextAsync(staging + InfoSuffix, size.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            File.Move(staging + InfoSuffix, entry + InfoSuffix, overwrite: true);
            Directory.Move(staging, entry);
        }
        catch
        {
            StoreFolders.Remove(staging);
            File.Delete(staging + InfoSuffix);
            throw;
        }
    }

    private void Touch(string name)
    {
        try
        {
            File.SetLastWriteTimeUtc(Path.Combine(Entries, name + InfoSuffix), DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the eviction order suffers.
        }
    }

    private bool IsHeld(string name)
    {
        using var probe = TryLock(LockPathOf(name), exclusive: true);
        return probe is null;
    }

    private string LockPathOf(string name) => Path.Combine(Locks, name + ".lock");

    private static void RemoveAbandoned(string folder)
    {
        if (Directory.Exists(folder))
        {
            foreach (var directory in Directory.EnumerateDirectories(folder))
            {
                StoreFolders.Remove(directory);
            }
        }
    }

    // Regular files' sizes, links not followed (a layer's links point into the image, not into this machine).
    private static long SizeOf(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
            .Where(f => f.LinkTarget is null).Sum(f => f.Length);

    private static string NameOf(Digest diffId) => diffId.Algorithm + "-" + diffId.Encoded;

    private static bool TryParseName(string name, out Digest diffId)
    {
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        diffId = default;
        return dash > 0 && Digest.TryParse(name[..dash] + ":" + name[(dash + 1)..], out diffId);
    }

    // .NET takes flock(LOCK_EX | LOCK_NB) for FileShare.None and flock(LOCK_SH | LOCK_NB) otherwise; a held lock is an
    // IOException. The kernel drops the lock when its process dies, SIGKILL included.
    private static FileStream? TryLock(string path, bool exclusive)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusive ? FileShare.None : FileShare.ReadWrite);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }
}

/// <summary>A layer of the <see cref="LayerStore"/> held for use: eviction leaves it alone until this is disposed.</summary>
internal sealed class LayerLease : IDisposable, IAsyncDisposable
{
    private readonly FileStream _lock;

    internal LayerLease(Digest diffId, string directory, FileStream sharedLock)
    {
        DiffId = diffId;
        Directory = directory;
        _lock = sharedLock;
    }

    /// <summary>The layer's DiffID.</summary>
    public Digest DiffId { get; }

    /// <summary>The folder holding the layer's files (read only: other builds share it).</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public void Dispose() => _lock.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _lock.DisposeAsync();
}
