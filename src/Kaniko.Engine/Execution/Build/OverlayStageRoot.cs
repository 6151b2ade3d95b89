using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Storage;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// A stage's root filesystem as an overlay mount: each of the stage's layers is unpacked once into the
/// <see cref="LayerStore"/> (and reused by later builds), the stage's folder is an overlay of those folders with a
/// fresh upper folder, and a step's changes are read from the upper folder (<see cref="OverlaySnapshot"/>). After a
/// step the mount keeps its changes (later steps and copies read them there); before the next step is snapshotted,
/// the step's layer joins the lower folders and the upper folder starts empty again.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class OverlayStageRoot : IDisposable
{
    // Unpacking is mostly writing files: a few layers at once keep the disk and two cores busy.
    private const int ParallelUnpacks = 3;

    private readonly LayerStore _store;
    private readonly OverlayRung _rung;
    private readonly string _folder;
    private readonly IBuildEventSink _events;
    private readonly List<LayerLease> _leases = [];
    private readonly List<LayerLease> _prepared = [];
    private readonly LayerHeaderCache? _headers;
    private OverlayMount? _mount;
    private OverlayLowers? _lowers;
    private int _generation;

    /// <summary>
    /// An overlay root on <paramref name="rung"/> whose own folders (upper, work, links) go in <paramref name="folder"/>;
    /// <paramref name="store"/> keeps its layers in the form that rung reads; the headers of the layers it unpacks are
    /// kept in <paramref name="headers"/>, when given.
    /// </summary>
    public OverlayStageRoot(LayerStore store, OverlayRung rung, string folder, IBuildEventSink events, LayerHeaderCache? headers = null)
    {
        if (!store.Form.IsReadBy(rung))
        {
            throw new ArgumentException("the store's layers are not in the form " + rung + " reads", nameof(store));
        }

        _store = store;
        _rung = rung;
        _folder = Path.GetFullPath(folder);
        _events = events;
        _headers = headers;
    }

    /// <summary>How many of the stage's layers the mount's lower folders hold.</summary>
    public int LowerCount { get; private set; } = -1;

    /// <summary>Whether the upper folder holds a step's changes (the mount shows one layer more than its lowers).</summary>
    public bool HasChanges { get; private set; }

    private string Upper => Path.Combine(_folder, "u" + _generation.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Unpacks into the store, ahead of the first mount, the layers of <paramref name="layers"/> it does not hold yet,
    /// keeping their headers in the header cache as they go by: a step that must know the base's tree (a
    /// <c>WORKDIR</c> in a stage that runs commands) then reads it from there instead of decompressing the layers a
    /// second time. The layers are held until the stage is mounted. When the store cannot hold them only the debug
    /// log says so: the mount tries again and says why the stage unpacks.
    /// </summary>
    public async Task PrepareAsync(IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        try
        {
            _prepared.AddRange(await AcquireAllAsync(layers, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KanikoException or NotSupportedException)
        {
            _events.Report(new MessageEvent("layer store: not prepared ahead (" + e.Message + ")", MessageImportance.Low));
        }
    }

    /// <summary>
    /// Mounts <paramref name="layers"/> (base first) on <paramref name="target"/> under an empty upper folder, unpacking
    /// into the store the layers it does not hold yet.
    /// </summary>
    public async Task MountAsync(IReadOnlyList<ILayer> layers, string target, CancellationToken cancellationToken)
    {
        var leases = await AcquireAllAsync(layers, cancellationToken).ConfigureAwait(false);
        Unmount();
        ReleaseLeases();
        _leases.AddRange(leases);
        _generation++;
        Directory.CreateDirectory(Upper);
        var work = Upper + "w";
        Directory.CreateDirectory(work);
        var lowers = _leases.Select(l => l.Directory).ToList();
        if (lowers.Count == 0)
        {
            // overlayfs needs one lower folder: scratch is an empty one.
            lowers.Add(Directory.CreateDirectory(Path.Combine(_folder, "e")).FullName);
        }

        _lowers = new OverlayLowers(lowers, _store.Form);
        _mount = OverlayMount.Mount(_rung, lowers, Upper, work, target, _folder);
        LowerCount = layers.Count;
        HasChanges = false;
    }

    /// <summary>What the current step changed, from the upper folder; the files are read from <paramref name="merged"/>.</summary>
    public async Task<FileSystemDiff> DiffAsync(RootFs merged, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = await OverlaySnapshot.DiffAsync(merged, Upper, _lowers ?? throw new InvalidOperationException("the overlay is not mounted"), OverlayUpperMarks.For(_rung, _store.Form), cancellationToken).ConfigureAwait(false);
        _events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, "snapshot ({0}): {1} path(s) of the upper folder read, {2} change(s), in {3:0.00} s",
            _rung, result.UpperPaths, result.Diff.Changes.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds), MessageImportance.Low));
        return result.Diff;
    }

    /// <summary>Records that the upper folder now holds a step's changes.</summary>
    public void Commit() => HasChanges = true;

    /// <summary>Unmounts, releases the store's layers and removes the upper, work and link folders.</summary>
    public void Dispose()
    {
        Unmount();
        ReleaseLeases();
        StoreFolders.Remove(_folder);
    }

    private void Unmount()
    {
        if (_mount is not null)
        {
            _mount.Dispose();
            _mount = null;
            StoreFolders.Remove(Upper);
            StoreFolders.Remove(Upper + "w");
        }
    }

    private void ReleaseLeases()
    {
        foreach (var lease in _leases.Concat(_prepared))
        {
            lease.Dispose();
        }

        _leases.Clear();
        _prepared.Clear();
    }

    // Downloads run ahead (a few at a time, the largest first, into the base-image cache) of the layers the store
    // lacks, and the layers are unpacked at once, a few at a time and the largest first: a layer's folder holds its
    // own files only. What one layer takes from those below (the metadata of the directories it writes into without
    // listing them) is looked up once its files are written, after waiting for the layers below, and without holding
    // a place in the throttle, so no layer waits for one that waits.
    private async Task<LayerLease[]> AcquireAllAsync(IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var downloadThrottle = new SemaphoreSlim(StageRootFs.ParallelDownloads);
        using var unpackThrottle = new SemaphoreSlim(ParallelUnpacks);
        // Each layer starts once all have their task, so the ones it waits for below are there to wait for.
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var largestFirst = Enumerable.Range(0, layers.Count).OrderByDescending(i => layers[i].Size).ToList();
        var fetched = new Task[layers.Count];
        foreach (var i in largestFirst)
        {
            fetched[i] = layers[i] is CachedLayer { IsCached: false } cached && !Directory.Exists(_store.PathOf(layers[i].DiffId))
                ? StageRootFs.DownloadAsync(cached, downloadThrottle, stop.Token) : Task.CompletedTask;
        }

        var acquired = new Task<LayerLease>[layers.Count];
        foreach (var i in largestFirst)
        {
            var below = i;
            acquired[i] = AcquireAsync(layers[i], Task.WhenAll(allStarted.Task, fetched[i]), () => acquired[..below], unpackThrottle, stop.Token);
        }

        allStarted.SetResult();
        try
        {
            return await Task.WhenAll(acquired).ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await ((Task)Task.WhenAll(acquired)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var done in acquired.Where(t => t.IsCompletedSuccessfully))
            {
                done.Result.Dispose();
            }

            throw;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(fetched).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // A layer is unpacked alone into its store folder, its whiteouts kept as overlayfs's; a directory it writes into
    // without listing gets the metadata the layers below give it (as containerd's applier does), not a default.
    private async Task<LayerLease> AcquireAsync(ILayer layer, Task download, Func<Task<LayerLease>[]> below, SemaphoreSlim throttle, CancellationToken cancellationToken)
    {
        await download.ConfigureAwait(false);
        return await _store.AcquireAsync(layer.DiffId, async (folder, token) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await throttle.WaitAsync(token).ConfigureAwait(false);
            var holding = 1;
            void Leave()
            {
                if (Interlocked.Exchange(ref holding, 0) == 1)
                {
                    throttle.Release();
                }
            }

            RootFs rootFs;
            var headers = _headers is null ? null : new List<LayerHeader>();
            try
            {
                rootFs = new RootFs(folder, IgnoredPaths.Default, _events)
                {
                    EntryRead = headers is null ? null : entry => headers.Add(LayerHeaderCache.Of(entry)),
                    KeepsWhiteouts = true,
                    RecordsContentHashes = false,
                    OverlayOpaqueAttribute = _store.Form.OpaqueAttribute,
                    LowerDirectories = async wait =>
                    {
                        Leave();
                        var lowers = new OverlayLowers([.. (await Task.WhenAll(below()).WaitAsync(wait).ConfigureAwait(false)).Select(l => l.Directory)], _store.Form);
                        return path => lowers.Find(path) is { Metadata.Kind: FileEntryKind.Directory } found ? found.Metadata : null;
                    },
                };
                var readAhead = new ReadAheadStream(await layer.OpenUncompressedAsync(token).ConfigureAwait(false));
                await using (readAhead.ConfigureAwait(false))
                {
                    await rootFs.ApplyTarAsync(readAhead, layer.Digest.ToString(), token).ConfigureAwait(false);
                    await readAhead.DrainAsync(token).ConfigureAwait(false);
                }
            }
            finally
            {
                Leave();
            }

            // In a user namespace an owner outside the mapped ids stays root on disk, and only the unpacking root
            // filesystem remembers the wanted one; a snapshot of the overlay would report root. The stage unpacks.
            if (rootFs.WantedOwners.Count > 0)
            {
                var (path, owner) = rootFs.WantedOwners.First();
                throw new NotSupportedException(string.Format(CultureInfo.InvariantCulture,
                    "layer {0} gives {1} the owner {2}:{3}, outside the ids this user namespace maps", layer.DiffId, path, owner.Uid, owner.Gid));
            }

            if (headers is not null)
            {
                // The whole layer was read, so its digest was checked: its headers are the ones a tree read would find.
                _headers!.Keep(layer, headers);
            }

            _events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, "layer store: unpacked {0} in {1:0.00} s",
                layer.DiffId, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds), MessageImportance.Low));
        }, cancellationToken).ConfigureAwait(false);
    }
}
