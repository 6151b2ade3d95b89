using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The warnings of one platform's build: stages of one build may run at the same time, so the list is shared under
/// a lock, and each warning is reported as it is found.
/// </summary>
internal sealed class BuildWarnings(List<BuildWarning> warnings, IBuildEventSink events)
{
    /// <summary>Records <paramref name="warning"/> and reports it.</summary>
    public void Add(BuildWarning warning)
    {
        lock (warnings)
        {
            warnings.Add(warning);
        }

        events.Report(new WarningEvent(warning));
    }
}
