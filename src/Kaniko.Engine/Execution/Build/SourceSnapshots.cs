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
    /// read once per build: for <c>COPY --from</c> and <c>RUN --mount from</c>.
    /// </summary>
    public Task<(ImageSnapshot Snapshot, BuildContextTree Tree)> GetAsync(
        Platform platform, string from, StepPlan step, IReadOnlyDictionary<int, StageResult> earlier, SourceRange range, CancellationToken cancellationToken)
    {
        var stageIndex = step.Sources.FirstOrDefault(s => s.Reference == from)?.StageIndex;
        var key = stageIndex is { } index ? "stage:" + index.ToString(CultureInfo.InvariantCulture) : "image:" + platform + ":" + from;
        return _snapshots.GetOrAdd(key, k => new Lazy<Task<(ImageSnapshot, BuildContextTree)>>(
            () => ReadSnapshotAsync(k, platform, from, range, stageIndex, earlier, cancellationToken))).Value;
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
