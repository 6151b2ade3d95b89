using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution;

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
