namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// Receives what the engine has to say while it works. The engine never writes to a console or a logger
/// itself; hosts (the CLI, the MSBuild tasks) render these events in their own idiom.
/// Implementations must be thread-safe: independent work runs in parallel.
/// </summary>
public interface IBuildEventSink
{
    /// <summary>Called for every event, in the order each producer emits them.</summary>
    void Report(BuildEvent buildEvent);
}

/// <summary>Something that happened during a build.</summary>
public abstract record BuildEvent;

/// <summary>A warning that does not stop the build.</summary>
public sealed record WarningEvent(BuildWarning Warning) : BuildEvent;

/// <summary>A line of information, at a verbosity the host may filter.</summary>
public sealed record MessageEvent(string Text, MessageImportance Importance = MessageImportance.Normal) : BuildEvent;

/// <summary>How much a message matters, for hosts that filter by verbosity.</summary>
public enum MessageImportance
{
    /// <summary>Shown only at detailed verbosity.</summary>
    Low,
    /// <summary>Shown by default.</summary>
    Normal,
    /// <summary>Always shown.</summary>
    High,
}

/// <summary>A sink that drops everything; for callers that do not care.</summary>
public sealed class NullBuildEventSink : IBuildEventSink
{
    /// <summary>The shared instance.</summary>
    public static readonly NullBuildEventSink Instance = new();

    private NullBuildEventSink()
    {
    }

    /// <inheritdoc />
    public void Report(BuildEvent buildEvent)
    {
    }
}
