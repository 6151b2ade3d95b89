using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Add;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The layer cache as a stage's steps see it. Each layer-making step gets a <see cref="CacheKey"/> chained on the
/// previous one (the first on the stage's base: the base image's manifest digest, or the parent stage's last key),
/// with the expanded instruction, the build arguments in scope with their values, the environment, user, working
/// directory and shell, the platform and the layer options; a <c>COPY</c>/<c>ADD</c> adds its sources
/// (<see cref="CopyCacheKey"/>). A step the cache has is not executed: its cached layer is used. Every step's key
/// is computed even when the cache is off or the step's kind is not cached, so a later step's key still depends on
/// everything before it.
/// </summary>
internal sealed class StepLayerCache
{
    private readonly LayerCache? _cache;
    private readonly ExecutionOptions _options;
    private readonly IBuildEventSink _events;
    private readonly StageLayerWriter _writer;
    private ImageConfigState? _state;
    private Platform _platform = Platform.Current;
    private bool _keyed;

    /// <summary>Creates the step cache of one stage, whose layers <paramref name="writer"/> writes.</summary>
    public StepLayerCache(ExecutionOptions options, IBuildEventSink events, StageLayerWriter writer)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _cache = options.LayerCache;
    }

    /// <summary>The key of the last layer-making step of the current stage (or of its base before the first one).</summary>
    public CacheKey Chain { get; private set; }

    /// <summary>Starts a stage on <paramref name="baseIdentity"/> (an image digest or the parent stage's chain).</summary>
    public void StartStage(string baseIdentity, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(baseIdentity);
        _platform = platform;
        Chain = new CacheKeyBuilder().Add("base", baseIdentity).Add("platform", platform.ToString()).Build();
    }

    /// <summary>Starts a step whose config state is <paramref name="state"/>.</summary>
    public void BeginStep(ImageConfigState state)
    {
        _state = state ?? throw new ArgumentNullException(nameof(state));
        _keyed = false;
    }

    /// <summary>
    /// Ends a step: a layer the cache did not key (a <c>WORKDIR</c>) moves the chain on with the step's text,
    /// which with the chain decides that layer.
    /// </summary>
    public void EndStep(Instruction instruction, ILayer? layer)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        if (layer is not null && !_keyed)
        {
            Chain = DerivedKey(instruction);
        }
    }

    /// <summary>
    /// The layer of a <c>COPY</c>/<c>ADD</c> planned as <paramref name="plan"/> over <paramref name="source"/>:
    /// the cached one when the cache has the step's key, else <paramref name="write"/>'s, which is then stored.
    /// </summary>
    /// <param name="instruction">The expanded instruction.</param>
    /// <param name="plan">The planned copy (its items decide the key's sources part).</param>
    /// <param name="source">Where the files' contents are read.</param>
    /// <param name="remoteIdentity">
    /// For an <c>ADD</c> of URLs or git repositories, what identifies the fetched content
    /// (<see cref="RemoteAddContent.CacheIdentity"/>: digests, <c>Last-Modified</c> times, commits); it joins the key, so
    /// a warm build whose downloads are unchanged reuses the layer, as BuildKit does. Null for any other copy.
    /// </param>
    /// <param name="write">Writes the layer.</param>
    /// <param name="cancellationToken">Stops the step.</param>
    public async Task<ILayer> CopyAsync(
        Instruction instruction, CopyPlan plan, IBuildContext source, IReadOnlyList<string>? remoteIdentity, Func<Task<ILayer>> write,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(write);
        var key = StepKey(instruction);
        await CopyCacheKey.AddSourcesAsync(key, plan, source, cancellationToken).ConfigureAwait(false);
        if (remoteIdentity is not null)
        {
            key.Add("remote", remoteIdentity);
        }

        return await LookUpOrWriteAsync(key.Build(), instruction, _cache?.Options.CopyLayers == true, write, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The layer of a <c>RUN</c>: the cached one when the cache has the step's key (what the step changed is then
    /// recorded in <paramref name="filesystem"/> from the entry, without reading the layer), else
    /// <paramref name="execute"/>'s. A step that changed nothing has no layer and is not stored.
    /// </summary>
    /// <param name="applied">The step, with its command.</param>
    /// <param name="filesystem">What the stage knows of its directories.</param>
    /// <param name="layerIndex">The number the step's layer takes in the stage's layers (its fresh directories are that layer's).</param>
    /// <param name="cacheable">Whether the step may be looked up at all (not with <c>--single-snapshot</c>).</param>
    /// <param name="mountSources">The trees bind mounts read (their content is part of the key).</param>
    /// <param name="execute">Runs the step; records its changes in <paramref name="filesystem"/> itself.</param>
    /// <param name="cancellationToken">Stops the step.</param>
    public async Task<ILayer?> RunAsync(
        AppliedStep applied, StageFilesystem filesystem, int layerIndex, bool cacheable, IMountSourceProvider? mountSources,
        Func<Task<(ILayer? Layer, IReadOnlyList<Filesystem.FileChange> Changes)>> execute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applied);
        ArgumentNullException.ThrowIfNull(filesystem);
        ArgumentNullException.ThrowIfNull(execute);
        var instruction = (RunInstruction)applied.Instruction;
        var builder = StepKey(instruction);
        cacheable &= await RunCacheKey.TryAddAsync(builder, instruction, applied.Run!, mountSources, cancellationToken).ConfigureAwait(false);
        var key = builder.Build();
        Chain = key;
        _keyed = true;
        if (_cache is null || !cacheable || !_cache.Options.RunLayers)
        {
            return (await execute().ConfigureAwait(false)).Layer;
        }

        var text = instruction.Format();
        // An entry without the step's changes (written by another tool) cannot tell later steps what it made.
        if (await _cache.TryGetAsync(key, cancellationToken).ConfigureAwait(false) is { Changes: { } lines } hit
            && TryDecode(lines) is { } recorded)
        {
            filesystem.Record(recorded, layerIndex);
            _events.Report(new LayerCacheLookupEvent(text, key.Value, true, hit.Source));
            return hit.Layer;
        }

        _events.Report(new LayerCacheLookupEvent(text, key.Value, false, null));
        var (layer, changes) = await execute().ConfigureAwait(false);
        if (layer is not null)
        {
            Store(_cache, key, layer, new LayerCacheRecord(text, _platform, RunCacheKey.EncodeChanges(changes)), cancellationToken);
        }

        return layer;
    }

    /// <summary>
    /// The layer of a <c>WORKDIR</c> in a stage that would read its base's tree to write it (see
    /// <see cref="WorkdirStepExecutor"/>): with the layer cache on, the cached one when the cache has the step (the
    /// directories it wrote then go to <paramref name="hit"/>, and the tree is not read), else
    /// <paramref name="write"/>'s, stored with those directories. The key is the one the step moves the chain to
    /// anyway, and no lookup event is reported: a <c>WORKDIR</c> is not a step users expect the cache to count.
    /// </summary>
    /// <param name="instruction">The expanded instruction.</param>
    /// <param name="hit">Records a cached layer's directories in the stage.</param>
    /// <param name="write">Writes the layer; returns it with the directories it wrote.</param>
    /// <param name="cancellationToken">Stops the step.</param>
    public async Task<ILayer> WorkdirAsync(
        Instruction instruction, Action<IReadOnlyList<Filesystem.FileChange>> hit,
        Func<Task<(ILayer Layer, IReadOnlyList<Filesystem.FileChange> Changes)>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(hit);
        ArgumentNullException.ThrowIfNull(write);
        var key = DerivedKey(instruction);
        Chain = key;
        _keyed = true;
        // With --single-snapshot the stage's one layer replaces this one: nothing is looked up, as for RUN.
        if (_cache is null || !_cache.Options.RunLayers || _options.SingleSnapshot)
        {
            return (await write().ConfigureAwait(false)).Layer;
        }

        var text = instruction.Format();
        if (await _cache.TryGetAsync(key, cancellationToken).ConfigureAwait(false) is { Changes: { } lines } found && TryDecode(lines) is { } recorded)
        {
            hit(recorded);
            _events.Report(new MessageEvent("layer of " + text + " from the cache (" + key.Value + "; its base's tree is not read)", MessageImportance.Low));
            return found.Layer;
        }

        var (layer, changes) = await write().ConfigureAwait(false);
        _cache.Store(key, layer, new LayerCacheRecord(text, _platform, RunCacheKey.EncodeChanges(changes)), cancellationToken);
        return layer;
    }

    // The key of a step whose layer follows from the chain and its text alone (a WORKDIR).
    private CacheKey DerivedKey(Instruction instruction) => StepKey(instruction).Add("layer", "derived").Build();

    // A damaged entry is a miss: the step runs again and its entry is written anew.
    private static IReadOnlyList<Filesystem.FileChange>? TryDecode(IReadOnlyList<string> lines)
    {
        try
        {
            return RunCacheKey.DecodeChanges(lines);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The fields every step's key starts with.</summary>
    public CacheKeyBuilder StepKey(Instruction instruction)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        var config = _state?.Config.Config;
        var layers = _options.Layers;
        return new CacheKeyBuilder()
            .Add("parent", Chain.Value)
            .Add("platform", _platform.ToString())
            .Add("instruction", instruction.Format())
            .Add("args", _state?.BuildArgs ?? [])
            .Add("env", config?.Env)
            .Add("user", config?.User)
            .Add("workdir", config?.WorkingDir)
            .Add("shell", config?.Shell)
            .Add("layer.compression", layers.Compression.ToString())
            .Add("layer.level", layers.CompressionLevel?.ToString(CultureInfo.InvariantCulture))
            .Add("layer.fileTime", _options.FixedFileTime?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Moves the chain to <paramref name="key"/> and returns the cached layer of the step when <paramref name="cached"/>
    /// and the cache has it; otherwise writes the layer with <paramref name="write"/> and, when cached, stores it.
    /// </summary>
    public async Task<ILayer> LookUpOrWriteAsync(CacheKey key, Instruction instruction, bool cached, Func<Task<ILayer>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(write);
        Chain = key;
        _keyed = true;
        if (_cache is null || !cached)
        {
            return await write().ConfigureAwait(false);
        }

        var text = instruction.Format();
        if (await _cache.TryGetAsync(key, cancellationToken).ConfigureAwait(false) is { } hit)
        {
            _events.Report(new LayerCacheLookupEvent(text, key.Value, true, hit.Source));
            return hit.Layer;
        }

        _events.Report(new LayerCacheLookupEvent(text, key.Value, false, null));
        var layer = await write().ConfigureAwait(false);
        Store(_cache, key, layer, new LayerCacheRecord(text, _platform), cancellationToken);
        return layer;
    }

    // A plain tar layer (a stage no output holds) is compressed for the cache in the cache's background writes, so
    // the stages waiting for this one never wait for the compression; the build awaits it before it reports success.
    private void Store(LayerCache cache, CacheKey key, ILayer layer, LayerCacheRecord record, CancellationToken cancellationToken)
    {
        if (StageLayerWriter.NeedsCompression(layer))
        {
            cache.Store(key, token => _writer.ForCacheAsync(layer, token), record, cancellationToken);
        }
        else
        {
            cache.Store(key, layer, record, cancellationToken);
        }
    }
}
