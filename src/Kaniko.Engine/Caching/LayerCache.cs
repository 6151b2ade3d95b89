using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Caching;

/// <summary>
/// The layer cache of one build: looks a key up on disk, then in the registry; stores new layers in both in the
/// background while the build goes on. The registry part never fails a build: the first time it cannot be reached
/// it is reported once (<see cref="DiagnosticCodes.LayerCacheUnavailable"/>) and left alone for the rest of the
/// build, and a layer it refuses is a warning (<see cref="DiagnosticCodes.LayerCacheWriteFailed"/>).
/// </summary>
internal sealed class LayerCache
{
    // A few cache images go up at once; the build's own push and steps need the connection and the cores too.
    private const int ParallelWrites = 2;

    private readonly ILayerCache _local;
    private readonly ILayerCache? _remote;
    private readonly IBuildEventSink _events;
    private readonly List<BuildWarning> _warnings = [];
    private readonly List<Task> _writes = [];
    private readonly SemaphoreSlim _writeSlots = new(ParallelWrites);
    private readonly Lock _lock = new();
    private volatile bool _remoteDisabled;

    /// <summary>A cache that looks in <paramref name="local"/>, then in <paramref name="remote"/> when there is one.</summary>
    public LayerCache(LayerCacheOptions options, ILayerCache local, ILayerCache? remote, IBuildEventSink? events = null)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        _local = local ?? throw new ArgumentNullException(nameof(local));
        _remote = remote;
        _events = events ?? NullBuildEventSink.Instance;
    }

    /// <summary>The settings (which steps are cached, the time to live).</summary>
    public LayerCacheOptions Options { get; }

    /// <summary>Where the cache looks, for messages: the local folder, then the repository when there is one.</summary>
    public string Description => _remote is null ? _local.Description : _local.Description + ", then " + _remote.Description;

    /// <summary>The warnings reported so far.</summary>
    public IReadOnlyList<BuildWarning> Warnings
    {
        get
        {
            lock (_lock)
            {
                return [.. _warnings];
            }
        }
    }

    /// <summary>The layer stored under <paramref name="key"/>, first on disk, then in the registry; <c>null</c> on a miss.</summary>
    public async Task<LayerCacheHit?> TryGetAsync(CacheKey key, CancellationToken cancellationToken)
    {
        try
        {
            if (await _local.TryGetAsync(key, cancellationToken).ConfigureAwait(false) is { } hit)
            {
                return hit;
            }
        }
        catch (KanikoException e)
        {
            Warn(new BuildWarning(e.Code, e.Detail));
        }

        if (_remote is null || _remoteDisabled)
        {
            return null;
        }

        try
        {
            return await _remote.TryGetAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            DisableRemote(e);
            return null;
        }
    }

    /// <summary>
    /// Starts storing <paramref name="layer"/> under <paramref name="key"/> on disk and in the registry, and returns
    /// at once; <see cref="FlushAsync"/> waits for the writes. The layer's blob must stay readable until then.
    /// </summary>
    public void Store(CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Store(key, _ => Task.FromResult(layer), record, cancellationToken);
    }

    /// <summary>
    /// Starts storing under <paramref name="key"/> the layer <paramref name="prepare"/> makes (once, for both caches,
    /// in the background when the first write's turn comes: a compression, for example), and returns at once;
    /// <see cref="FlushAsync"/> waits for it and the writes. A failed preparation is a warning, as a failed write is.
    /// </summary>
    public void Store(CacheKey key, Func<CancellationToken, Task<ILayer>> prepare, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepare);
        ArgumentNullException.ThrowIfNull(record);
        var layer = new Lazy<Task<ILayer>>(() => prepare(cancellationToken));
        lock (_lock)
        {
            _writes.Add(Task.Run(() => WriteAsync(_local, key, layer, record, cancellationToken), CancellationToken.None));
            if (_remote is not null && !_remoteDisabled)
            {
                _writes.Add(Task.Run(() => WriteAsync(_remote, key, layer, record, cancellationToken), CancellationToken.None));
            }
        }
    }

    /// <summary>Waits for every write started so far; returns the warnings of the whole build's cache use.</summary>
    public async Task<IReadOnlyList<BuildWarning>> FlushAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (_lock)
            {
                pending = [.. _writes];
                _writes.Clear();
            }

            if (pending.Length == 0)
            {
                return Warnings;
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(ILayerCache target, CacheKey key, Lazy<Task<ILayer>> layer, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        await _writeSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (target == _remote && _remoteDisabled)
            {
                return;
            }

            // Inside a write slot: a preparation that compresses takes a core, as many at once as writes do.
            var prepared = await layer.Value.ConfigureAwait(false);
            await target.StoreAsync(key, prepared, record, cancellationToken).ConfigureAwait(false);
            _events.Report(new MessageEvent(
                string.Format(CultureInfo.InvariantCulture, "cached layer {0} of '{1}' in {2}", key.Short, record.CreatedBy, target.Description),
                MessageImportance.Low));
        }
        catch (Exception e)
        {
            // A cache that cannot take a layer costs the next build time, never this build its result.
            var reason = e is OperationCanceledException ? "cancelled" : e.Message;
            Warn(new BuildWarning(DiagnosticCodes.LayerCacheWriteFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.LayerCacheWriteFailed, record.CreatedBy, target.Description, reason)));
        }
        finally
        {
            _writeSlots.Release();
        }
    }

    private void DisableRemote(Exception e)
    {
        lock (_lock)
        {
            if (_remoteDisabled)
            {
                return;
            }

            _remoteDisabled = true;
        }

        Warn(new BuildWarning(DiagnosticCodes.LayerCacheUnavailable,
            string.Format(CultureInfo.InvariantCulture, Strings.LayerCacheUnavailable, _remote!.Description, e.Message)));
    }

    private void Warn(BuildWarning warning)
    {
        lock (_lock)
        {
            _warnings.Add(warning);
        }

        _events.Report(new WarningEvent(warning));
    }
}
