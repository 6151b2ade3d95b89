using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Tests.Output;

/// <summary>A fixed sequence of build events (a base-layer pull, two steps, a warning, an upload) for golden output.</summary>
internal static class OutputEvents
{
    internal static readonly string BaseLayer = "sha256:" + new string('a', 64);
    internal static readonly string NewLayer = "sha256:" + new string('b', 64);
    internal const string Base = "127.0.0.1:5000/dotnet/aspnet";
    internal const string Destination = "127.0.0.1:5000/app";

    internal static IReadOnlyList<BuildEvent> Build() =>
    [
        new StepStartedEvent(1, 1, 1, 3, "FROM 127.0.0.1:5000/dotnet/aspnet:10.0"),
        new BlobTransferStartedEvent(BlobTransferDirection.Pull, Base, BaseLayer, 31_457_280),
        new BlobTransferProgressEvent(BlobTransferDirection.Pull, BaseLayer, 10_485_760, 31_457_280),
        new BlobTransferProgressEvent(BlobTransferDirection.Pull, BaseLayer, 31_457_280, 31_457_280),
        new BlobTransferFinishedEvent(BlobTransferDirection.Pull, Base, BaseLayer, 31_457_280, TimeSpan.FromSeconds(2)),
        new StepStartedEvent(1, 1, 2, 3, "COPY --chown=app . /app"),
        new WarningEvent(new BuildWarning(DiagnosticCode.Of(1311), "FROM argument 'TAG' is not declared", SourceRange.Line("Dockerfile", 3))),
        new StepStartedEvent(1, 1, 3, 3, "ENTRYPOINT [\"dotnet\", \"web.dll\"]"),
        new MessageEvent("blob sha256:bbbb uploaded", MessageImportance.Low),
        new BlobTransferStartedEvent(BlobTransferDirection.Push, Destination, NewLayer, 1_048_576),
        new BlobTransferProgressEvent(BlobTransferDirection.Push, NewLayer, 524_288, 1_048_576),
        new BlobTransferFinishedEvent(BlobTransferDirection.Push, Destination, NewLayer, 1_048_576, TimeSpan.FromMilliseconds(250)),
    ];
}
