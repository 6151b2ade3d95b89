using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Utilities;
using BuildMessageImportance = Microsoft.Build.Framework.MessageImportance;
using EngineMessageImportance = Kaniko.Engine.Diagnostics.MessageImportance;

namespace Kaniko.Tasks;

/// <summary>
/// Renders engine events in the MSBuild log at the importance the .NET SDK's container tasks use: each step, each
/// layer-cache lookup (hit or miss) and each layer transfer's start and end as a normal-importance message (seen with
/// <c>-v:n</c> and in binary logs, as the .NET SDK's "Uploading layer" lines are), transfer progress as low, engine messages at their own importance, warnings as MSBuild warnings with their code and
/// Dockerfile location. The engine reports from several threads; MSBuild's logger is called under one lock.
/// </summary>
internal sealed class MSBuildEventSink(TaskLoggingHelper log, string? dockerfilePath) : IBuildEventSink
{
    private readonly Lock _gate = new();

    public void Report(BuildEvent buildEvent)
    {
        lock (_gate)
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
                case BlobTransferStartedEvent started:
                    log.LogMessage(BuildMessageImportance.Normal, "{0} {1} ({2:N0} bytes) {3} {4}",
                        started.Direction == BlobTransferDirection.Push ? "Uploading layer" : "Downloading layer", started.Digest, started.Size,
                        started.Direction == BlobTransferDirection.Push ? "to" : "from", started.Repository);
                    break;
                case BlobTransferProgressEvent progress:
                    log.LogMessage(BuildMessageImportance.Low, "  {0}: {1:N0} of {2:N0} bytes", progress.Digest, progress.Transferred, progress.Size);
                    break;
                case BlobTransferFinishedEvent finished:
                    log.LogMessage(BuildMessageImportance.Normal, "{0} {1} in {2:0.0} s",
                        finished.Direction == BlobTransferDirection.Push ? "Uploaded layer" : "Downloaded layer", finished.Digest, finished.Elapsed.TotalSeconds);
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
