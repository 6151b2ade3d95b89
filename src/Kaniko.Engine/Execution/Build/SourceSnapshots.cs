using System.Collections.Concurrent;
using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The files of the earlier stages and the images that steps read (<c>COPY --from</c>, <c>RUN --mount from</c>),
/// each read once per build into a snapshot folder; stages that ask at the same time share the one read.
/// </summary>
internal sealed class SourceSnapshots(ExecutionOptions options, IBuildEventSink events, LayerHeaderCache headers)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<(ImageSnapshot Snapshot, BuildContextTree Tree)>>> _snapshots = new(StringComparer.Ordinal);
    private int _snapshotCount;

    /// <summary>
    /// The files of the earlier stage or the image <paramref name="from"/> names (as the step's sources resolve it),
    /// read once per build: for <c>COPY --from</c> and <c>RUN --mount from</c>. When every one of
    /// <paramref name="sourcePaths"/> (a copy's sources) lies in a fresh directory of an earlier stage (see
    /// <see cref="StageFilesystem"/>), only the stage's layers from the oldest such directory's up are read.
    /// </summary>
    public Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> GetAsync(
        Platform platform, string from, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier, SourceRange range, CancellationToken cancellationToken,
        IReadOnlyList<string>? sourcePaths = null)
    {
        var stageIndex = step.Sources.FirstOrDefault(s => s.Reference == from)?.StageIndex;
        var key = stageIndex is { } index ? "stage:" + index.ToString(CultureInfo.InvariantCulture) : "image:" + platform + ":" + from;
        if (stageIndex is { } source && sourcePaths is not null && !options.SingleSnapshot && FreshDirectories(earlier[source], sourcePaths) is { } fresh)
        {
            return _snapshots.GetOrAdd(key + ":above:" + fresh.Layer.ToString(CultureInfo.InvariantCulture) + ":" + string.Join(':', fresh.Directories),
                k => new Lazy<Task<(ImageSnapshot, BuildContextTree)>>(
                    () => ReadAboveAsync(k, key, platform, from, range, source, earlier, fresh.Layer, fresh.Directories, cancellationToken))).Value;
        }

        return Full(key);

        Task<(ImageSnapshot, BuildContextTree)> Full(string fullKey) => _snapshots.GetOrAdd(fullKey, k => new Lazy<Task<(ImageSnapshot, BuildContextTree)>>(
            () => ReadSnapshotAsync(k, platform, from, range, stageIndex, earlier, cancellationToken))).Value;
    }

    /// <summary>
    /// The fresh directories of <paramref name="stage"/> that hold <paramref name="sourcePaths"/> (the literal folder
    /// before any wildcard) and the oldest layer that made one; null when a source is not in one.
    /// </summary>
    private static (int Layer, List<string> Directories)? FreshDirectories(StageResult stage, IReadOnlyList<string> sourcePaths)
    {
        var layer = int.MaxValue;
        var directories = new List<string>();
        foreach (var source in sourcePaths)
        {
            var wildcard = source.IndexOfAny(['*', '?', '[', '\\']);
            var literal = wildcard < 0 ? source : source[..Math.Max(0, source[..wildcard].LastIndexOf('/'))];
            var path = ContainerPath.Parse(literal);
            if (stage.Filesystem.FreshLayerOf(path) is not { } made)
            {
                return null;
            }

            layer = Math.Min(layer, made);
            directories.Add(path.Value[1..]);
        }

        return directories.Count == 0 || layer > stage.Image.Layers.Count ? null : (layer, directories);
    }

    /// <summary>The files of a stage from its layers above <paramref name="layer"/>, or all of them when those cannot stand for it.</summary>
    private async Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> ReadAboveAsync(
        string key, string fullKey, Platform platform, string from, SourceRange range, int stageIndex, IReadOnlyDictionary<int, StageResult> earlier,
        int layer, List<string> directories, CancellationToken cancellationToken)
    {
        var layers = earlier[stageIndex].Image.Layers;
        var number = Interlocked.Increment(ref _snapshotCount) - 1;
        var directory = Path.Combine(options.WorkDirectory, "snapshot-" + number.ToString(CultureInfo.InvariantCulture));
        var above = await ImageSnapshot.ReadAboveAsync(key, [.. layers.Skip(layer)], directory, headers, directories, cancellationToken).ConfigureAwait(false);
        if (above is not null)
        {
            events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture,
                "stage {0}: read from its layer {1} up (the copied folders are fresh there), not its {2} layer(s) below",
                earlier[stageIndex].Stage.DisplayName, layer, layer), MessageImportance.Low));
            return (above, BuildContextTree.Load(above));
        }

        return await _snapshots.GetOrAdd(fullKey, k => new Lazy<Task<(ImageSnapshot, BuildContextTree)>>(
            () => ReadSnapshotAsync(k, platform, from, range, stageIndex, earlier, cancellationToken))).Value.ConfigureAwait(false);
    }

    /// <summary>Reads the files of a stage or an image, once per build (stages may ask at the same time).</summary>
    private async Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> ReadSnapshotAsync(
        string key, Platform platform, string from, SourceRange range, int? stageIndex, IReadOnlyDictionary<int, StageResult> earlier, CancellationToken cancellationToken)
    {
        IReadOnlyList<ILayer> sourceLayers;
        if (stageIndex is { } i)
        {
            sourceLayers = earlier[i].Image.Layers;
        }
        else
        {
            IImage image;
            try
            {
                var remote = await options.Fetcher.OpenAsync(ImageReference.Parse(from), platform, cancellationToken).ConfigureAwait(false);
                image = new CachedImage(remote, options.BaseImageCache, events);
            }
            catch (KanikoException e)
            {
                throw e.WithRangeIfMissing(range);
            }

            sourceLayers = image.Layers;
        }

        var number = Interlocked.Increment(ref _snapshotCount) - 1;
        var directory = Path.Combine(options.WorkDirectory, "snapshot-" + number.ToString(CultureInfo.InvariantCulture));
        var read = await ImageSnapshot.ReadAsync(key, sourceLayers, directory, headers, cancellationToken).ConfigureAwait(false);
        return (read, BuildContextTree.Load(read));
    }
}
