using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Utilities;
using BuildMessageImportance = Microsoft.Build.Framework.MessageImportance;
using EngineMessageImportance = Kaniko.Engine.Diagnostics.MessageImportance;

namespace Kaniko.Tasks;

/// <summary>
/// Renders engine events in the MSBuild log: each step and each layer-cache lookup (hit or miss) as a
/// normal-importance message (seen with <c>-v:n</c> and in binary logs), engine messages at their own importance, warnings as MSBuild warnings with their code and
/// Dockerfile location. The engine reports from several threads; MSBuild's logger is called under one lock.
/// </summary>
internal sealed class MSBuildEventSink(TaskLoggingHelper log, string? dockerfilePath) : IBuildEventSink
{
    private readonly Lock gate = new();

    public void Report(BuildEvent buildEvent)
    {
        lock (gate)
        {
            switch (buildEvent)
            {
                case StepStartedEvent step:
                    log.LogMessage(BuildMessageImportance.Normal, "{0}", step);
                    break;
                case WarningEvent warning:
                    MSBuildDiagnostics.LogWarning(log, warning.Warning, dockerfilePath);
                    break;
                case LayerCacheLookupEvent lookup:
                    log.LogMessage(BuildMessageImportance.Normal, "{0}", lookup);
                    break;
                case MessageEvent message:
                    log.LogMessage(Importance(message.Importance), "{0}", message.Text);
                    break;
            }
        }
    }

    private static BuildMessageImportance Importance(EngineMessageImportance importance) => importance switch
    {
        EngineMessageImportance.High => BuildMessageImportance.High,
        EngineMessageImportance.Normal => BuildMessageImportance.Normal,
        _ => BuildMessageImportance.Low,
    };
}
