using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The root filesystem of one stage, made only when a step needs it (the stage's first <c>RUN</c>): the stage's
/// layers so far, base layers first, are unpacked in order into a folder of its own while the next ones download
/// in parallel, then indexed. Layers the stage adds later (<c>COPY</c>, <c>ADD</c>, <c>WORKDIR</c>) are applied
/// before the next step that runs, so it sees them; a step's own changes are already there and its snapshot's index
/// becomes the new baseline, with no second walk. The folder is removed on dispose.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class StageRootFs : IDisposable
{
    // Enough to keep a local disk busy while one layer unpacks; a registry serves a few blobs at once happily.
    internal const int ParallelDownloads = 3;

    private bool _ownsDirectory;
    private readonly IgnoredPaths _ignored;
    private readonly IBuildEventSink _events;
    private readonly int _baseLayerCount;
    private readonly bool _keepBaseline;
    private RootFs? _rootFs;
    private FileIndex? _index;
    private int _applied;
    private OverlayStageRoot? _overlay;

    /// <summary>A stage filesystem that will live in <paramref name="directory"/> (nothing is made yet).</summary>
    /// <param name="directory">The folder that plays <c>/</c>.</param>
    /// <param name="ownsDirectory">Whether the folder is this stage's own, made fresh and removed on dispose (false for <c>/</c> of this system).</param>
    /// <param name="ignored">The paths snapshots leave out.</param>
    /// <param name="baseLayerCount">How many of the stage's layers come from its base.</param>
    /// <param name="keepBaseline">Whether to index the base alone first (<c>--single-snapshot</c> compares with it at the end).</param>
    /// <param name="events">Receives the warnings of unpacking.</param>
    /// <param name="overlay">The overlay the folder is to be (its layers from the layer store), or null to unpack the layers into it.</param>
    public StageRootFs(string directory, bool ownsDirectory, IgnoredPaths ignored, int baseLayerCount, bool keepBaseline, IBuildEventSink events, OverlayStageRoot? overlay = null)
    {
        _overlay = overlay;
        HostDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _ownsDirectory = ownsDirectory;
        _ignored = ignored;
        _baseLayerCount = baseLayerCount;
        _keepBaseline = keepBaseline;
        _events = events;
    }

    /// <summary>The folder that plays <c>/</c>.</summary>
    public string HostDirectory { get; }

    /// <summary>Whether the layers were unpacked.</summary>
    public bool IsMaterialised => _rootFs is not null;

    /// <summary>The unpacked root filesystem.</summary>
    public RootFs RootFs => _rootFs ?? throw new InvalidOperationException("the stage's root filesystem is not made yet");

    /// <summary>The index of the root filesystem as it is now (after <see cref="SyncAsync"/> asked for it).</summary>
    public FileIndex Index => _index ?? throw new InvalidOperationException("the stage's root filesystem is not indexed");

    /// <summary>The index of the base alone, when kept.</summary>
    public FileIndex? Baseline { get; private set; }

    /// <summary>
    /// Brings the folder in step with <paramref name="layers"/> (all the stage's layers so far, base first): makes it
    /// on the first call, then applies only the layers added since, and indexes it when <paramref name="index"/>.
    /// </summary>
    public async Task SyncAsync(IReadOnlyList<ILayer> layers, bool index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (_overlay is { } overlay && await TrySyncOverlayAsync(overlay, layers, index, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (_rootFs is null)
        {
            if (_ownsDirectory)
            {
                RootFsCleanup.Remove(HostDirectory);
            }

            _rootFs = new RootFs(HostDirectory, _ignored, _events);
            if (_keepBaseline)
            {
                var baseLayers = layers.Take(_baseLayerCount).ToList();
                await ApplyAsync(baseLayers, cancellationToken).ConfigureAwait(false);
                _applied = baseLayers.Count;
                Baseline = await Snapshotter.IndexAsync(_rootFs, cancellationToken).ConfigureAwait(false);
                _index = Baseline;
            }
        }

        else if (_keepBaseline && Baseline is null)
        {
            // Taken over from the stage this one starts from: what is there now is this stage's base.
            Baseline = _index ??= await Snapshotter.IndexAsync(_rootFs, cancellationToken).ConfigureAwait(false);
        }

        if (_applied < layers.Count)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await ApplyAsync(layers.Skip(_applied).ToList(), cancellationToken).ConfigureAwait(false);
            Report("unpacked " + (layers.Count - _applied).ToString(CultureInfo.InvariantCulture) + " layer(s)", started);
            _applied = layers.Count;
            _index = null;
        }

        if (index && _index is null)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _index = await Snapshotter.IndexAsync(_rootFs, cancellationToken).ConfigureAwait(false);
            Report("indexed " + _index.Count.ToString(CultureInfo.InvariantCulture) + " paths", started);
        }
    }

    /// <summary>
    /// On the overlay rung, before the root is made: unpacks <paramref name="layers"/> into the layer store (see
    /// <see cref="OverlayStageRoot.PrepareAsync"/>), so the first mount finds them there and their headers are kept.
    /// </summary>
    public Task PrepareAsync(IReadOnlyList<ILayer> layers, CancellationToken cancellationToken) =>
        _overlay is { } overlay && _rootFs is null ? overlay.PrepareAsync(layers, cancellationToken) : Task.CompletedTask;

    /// <summary>
    /// The overlay rung of <see cref="SyncAsync"/>: mounts the layers (again) when layers were added since, or when a
    /// snapshot is to follow and the upper folder holds an earlier step's changes. False, with the overlay given up
    /// for the rest of the stage, when it cannot be made (a layer the store cannot hold alone, a file system that
    /// takes no overlay): the layers are then unpacked as without one.
    /// </summary>
    private async Task<bool> TrySyncOverlayAsync(OverlayStageRoot overlay, IReadOnlyList<ILayer> layers, bool index, CancellationToken cancellationToken)
    {
        if (_rootFs is not null && _applied == layers.Count && !(index && overlay.HasChanges))
        {
            return true;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            if (_rootFs is null && _ownsDirectory)
            {
                RootFsCleanup.Remove(HostDirectory);
            }

            _rootFs ??= new RootFs(HostDirectory, _ignored, _events);
            await overlay.MountAsync(layers, HostDirectory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or KanikoException or NotSupportedException)
        {
            _events.Report(new MessageEvent("root filesystem " + HostDirectory + ": no overlay (" + e.Message + "), the layers are unpacked", MessageImportance.High));
            overlay.Dispose();
            _overlay = null;
            _rootFs = null;
            _index = null;
            _applied = 0;
            return false;
        }

        _applied = layers.Count;
        Report("overlay of " + layers.Count.ToString(CultureInfo.InvariantCulture) + " layer(s) from the layer store", started);
        return true;
    }

    /// <summary>
    /// What the step just run changed: read from the overlay's upper folder on the overlay rung, else the diff of the
    /// whole root with its index (taken by <see cref="SyncAsync"/>).
    /// </summary>
    public Task<FileSystemDiff> DiffAsync(SnapshotMode mode, CancellationToken cancellationToken) =>
        _overlay is { } overlay ? overlay.DiffAsync(RootFs, cancellationToken) : Snapshotter.DiffAsync(RootFs, Index, mode, cancellationToken);

    private void Report(string what, long started) =>
        _events.Report(new MessageEvent(
            string.Format(CultureInfo.InvariantCulture, "root filesystem {0}: {1} in {2:0.00} s", HostDirectory, what,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds),
            MessageImportance.Low));

    /// <summary>
    /// Records a step's snapshot: the folder holds its changes, <paramref name="newIndex"/> describes them, and the
    /// stage now has <paramref name="layerCount"/> layers (the step's own included, when it wrote one).
    /// </summary>
    public void Commit(FileIndex? newIndex, int layerCount)
    {
        _overlay?.Commit();
        _index = newIndex;
        _applied = layerCount;
    }

    /// <summary>
    /// Gives the made root filesystem to a stage that starts from this one (<c>FROM</c> this stage): the folder, its
    /// records and its index move to the returned object, which holds the <paramref name="baseLayerCount"/> layers
    /// of the new stage's base; this object no longer removes the folder. Call it only once this stage's root
    /// filesystem holds all its layers (<see cref="SyncAsync"/>).
    /// </summary>
    public StageRootFs HandOver(int baseLayerCount, bool keepBaseline)
    {
        var taker = new StageRootFs(HostDirectory, _ownsDirectory, _ignored, baseLayerCount, keepBaseline, _events)
        {
            _rootFs = RootFs,
            _index = _index,
            _applied = baseLayerCount,
            _overlay = _overlay,
        };
        _overlay = null;
        _ownsDirectory = false;
        _rootFs = null;
        return taker;
    }

    /// <summary>Removes the folder (with whatever a killed step left mounted in it), when it is the stage's own.</summary>
    public void Dispose()
    {
        _overlay?.Dispose();
        if (_ownsDirectory)
        {
            RootFsCleanup.Remove(HostDirectory);
        }
    }

    // Downloads run ahead of the unpacking, a few at a time, into the base-image cache; each layer is unpacked as a
    // stream from there once its download is done, so no layer is ever held in memory.
    private async Task ApplyAsync(IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        using var downloads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var throttle = new SemaphoreSlim(ParallelDownloads);
        var fetched = layers
            .Select(layer => layer is CachedLayer { IsCached: false } cached ? DownloadAsync(cached, throttle, downloads.Token) : Task.CompletedTask)
            .ToArray();
        try
        {
            for (var i = 0; i < layers.Count; i++)
            {
                await fetched[i].ConfigureAwait(false);
                await ApplyLayerAsync(layers[i], cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await downloads.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(fetched).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // The layer is decompressed and verified on a worker of its own while the files are created on this one.
    private async Task ApplyLayerAsync(ILayer layer, CancellationToken cancellationToken)
    {
        var readAhead = new ReadAheadStream(await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false));
        await using (readAhead.ConfigureAwait(false))
        {
            await _rootFs!.ApplyTarAsync(readAhead, layer.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            await readAhead.DrainAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Downloads <paramref name="layer"/> into the base-image cache, one of a few at a time (<paramref name="throttle"/>).</summary>
    internal static async Task DownloadAsync(CachedLayer layer, SemaphoreSlim throttle, CancellationToken cancellationToken)
    {
        await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            throttle.Release();
        }
    }
}
