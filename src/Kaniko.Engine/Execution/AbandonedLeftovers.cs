using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution;

/// <summary>
/// What a killed build (SIGKILL, a lost machine) leaves behind, removed by the next build: its work folder, the
/// temporary folders of its <c>RUN</c> steps and the partial blobs in the cache's <c>incoming/</c>. Only what no live
/// process owns is removed (<see cref="OwnedFolder"/>, <see cref="BlobStore.RemoveAbandonedIncoming"/>), so builds
/// sharing a temporary folder or a cache never remove each other's work.
/// </summary>
internal static class AbandonedLeftovers
{
    /// <summary>The name prefix of a build's work folder.</summary>
    public const string WorkFolderPrefix = "kaniko-dotnet-build-";

    /// <summary>The name prefix of a <c>RUN</c> step's temporary folder (in the system's temporary folder).</summary>
    public const string RunFolderPrefix = "kaniko-run-";

    /// <summary>Removes the leftovers below <paramref name="workRoot"/>, the system's temporary folder and <paramref name="cache"/>; returns how many.</summary>
    public static int Remove(string workRoot, BlobStore cache, IBuildEventSink events)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(events);
        var removed = OwnedFolder.RemoveAbandoned(workRoot, WorkFolderPrefix)
            + OwnedFolder.RemoveAbandoned(Path.GetTempPath(), RunFolderPrefix)
            + cache.RemoveAbandonedIncoming();
        // An empty partial file may be one whose writer has not locked it yet: removed only once it is old.
        cache.RemoveStaleIncoming(TimeSpan.FromHours(1));
        if (removed > 0)
        {
            events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.AbandonedLeftoversRemoved, removed)));
        }

        return removed;
    }
}
