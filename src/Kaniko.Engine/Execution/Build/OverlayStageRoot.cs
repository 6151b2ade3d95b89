using System.Globalization;
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
    private readonly LayerStore _store;
    private readonly OverlayRung _rung;
    private readonly string _folder;
    private readonly IBuildEventSink _events;
    private readonly List<LayerLease> _leases = [];
    private OverlayMount? _mount;
    private OverlayLowers? _lowers;
    private int _generation;

    /// <summary>
    /// An overlay root on <paramref name="rung"/> whose own folders (upper, work, links) go in <paramref name="folder"/>;
    /// <paramref name="store"/> keeps its layers in the form that rung reads.
    /// </summary>
    public OverlayStageRoot(LayerStore store, OverlayRung rung, string folder, IBuildEventSink events)
    {
        if (!store.Form.IsReadBy(rung))
        {
            throw new ArgumentException("the store's layers are not in the form " + rung + " reads", nameof(store));
        }

        _store = store;
        _rung = rung;
        _folder = Path.GetFullPath(folder);
        _events = events;
    }

    /// <summary>How many of the stage's layers the mount's lower folders hold.</summary>
    public int LowerCount { get; private set; } = -1;

    /// <summary>Whether the upper folder holds a step's changes (the mount shows one layer more than its lowers).</summary>
    public bool HasChanges { get; private set; }

    private string Upper => Path.Combine(_folder, "u" + _generation.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Mounts <paramref name="layers"/> (base first) on <paramref name="target"/> under an empty upper folder, unpacking
    /// into the store the layers it does not hold yet.
    /// </summary>
    public async Task MountAsync(IReadOnlyList<ILayer> layers, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        // Downloads run ahead (a few at a time, into the base-image cache) of the layers the store lacks; the layers
        // are unpacked bottom first, since a layer's implicit directories take their metadata from those below.
        using var downloads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var throttle = new SemaphoreSlim(StageRootFs.ParallelDownloads);
        var fetched = layers
            .Select(layer => layer is Caching.CachedLayer { IsCached: false } cached && !Directory.Exists(_store.PathOf(layer.DiffId))
                ? StageRootFs.DownloadAsync(cached, throttle, downloads.Token) : Task.CompletedTask)
            .ToArray();
        var leases = new List<LayerLease>();
        try
        {
            for (var i = 0; i < layers.Count; i++)
            {
                await fetched[i].ConfigureAwait(false);
                leases.Add(await AcquireAsync(layers[i], leases, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            leases.ForEach(l => l.Dispose());
            throw;
        }
        finally
        {
            await downloads.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(fetched).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

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
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }

        _leases.Clear();
    }

    // A layer is unpacked alone into its store folder, its whiteouts kept as overlayfs's; a directory it writes into
    // without listing gets the metadata the layers below give it (as containerd's applier does), not a default.
    private async Task<LayerLease> AcquireAsync(ILayer layer, IReadOnlyList<LayerLease> below, CancellationToken cancellationToken)
    {
        return await _store.AcquireAsync(layer.DiffId, async (folder, token) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var lowers = new OverlayLowers([.. below.Select(l => l.Directory)], _store.Form);
            var rootFs = new RootFs(folder, IgnoredPaths.Default, _events)
            {
                KeepsWhiteouts = true,
                OverlayOpaqueAttribute = _store.Form.OpaqueAttribute,
                LowerDirectory = path => lowers.Find(path) is { Metadata.Kind: FileEntryKind.Directory } found ? found.Metadata : null,
            };
            var readAhead = new ReadAheadStream(await layer.OpenUncompressedAsync(token).ConfigureAwait(false));
            await using (readAhead.ConfigureAwait(false))
            {
                await rootFs.ApplyTarAsync(readAhead, layer.Digest.ToString(), token).ConfigureAwait(false);
                await readAhead.DrainAsync(token).ConfigureAwait(false);
            }

            // In a user namespace an owner outside the mapped ids stays root on disk, and only the unpacking root
            // filesystem remembers the wanted one; a snapshot of the overlay would report root. The stage unpacks.
            if (rootFs.WantedOwners.Count > 0)
            {
                var (path, owner) = rootFs.WantedOwners.First();
                throw new NotSupportedException(string.Format(CultureInfo.InvariantCulture,
                    "layer {0} gives {1} the owner {2}:{3}, outside the ids this user namespace maps", layer.DiffId, path, owner.Uid, owner.Gid));
            }

            _events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, "layer store: unpacked {0} in {1:0.00} s",
                layer.DiffId, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds), MessageImportance.Low));
        }, cancellationToken).ConfigureAwait(false);
    }
}
