using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli;

/// <summary>The process exit codes of <c>dotnet kaniko</c> (documented in <c>docs/cli.md</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    internal const int Success = 0;

    /// <summary>The build failed: a bad Dockerfile, context or request found by the engine, or a step that failed.</summary>
    internal const int BuildFailed = 1;

    /// <summary>The command line is invalid: an unknown option, a missing value, a malformed value, no destination.</summary>
    internal const int UsageError = 2;

    /// <summary>The Dockerfile needs something this version cannot do yet (<c>RUN</c>, <c>ADD</c> of a git repository, ...).</summary>
    internal const int NotAvailable = 3;

    /// <summary>A registry could not be read or written (authentication, network, missing image).</summary>
    internal const int RegistryFailed = 4;

    /// <summary>An output file (tarball, OCI layout, digest file) could not be written.</summary>
    internal const int OutputFailed = 5;

    /// <summary>The build was cancelled by SIGINT (Ctrl+C): 128 + 2, as shells report it.</summary>
    internal const int Interrupted = 130;

    /// <summary>The build was cancelled by SIGTERM: 128 + 15.</summary>
    internal const int Terminated = 143;

    /// <summary>A bug in the tool.</summary>
    internal const int InternalError = 70;

    /// <summary>The exit code for a failure with <paramref name="code"/>.</summary>
    internal static int For(DiagnosticCode code)
    {
        if (code == DiagnosticCodes.InternalError)
        {
            return InternalError;
        }

        if (code == DiagnosticCodes.InvalidRequest || code == DiagnosticCodes.DestinationRequired || code == DiagnosticCodes.DigestFileNeedsDestination
            || code == DiagnosticCodes.TarballNeedsOnePlatform)
        {
            return UsageError;
        }

        if (code == DiagnosticCodes.SandboxUnavailable || code == DiagnosticCodes.SandboxKindUnavailable
            || code == DiagnosticCodes.RunNeedsLinux || code == DiagnosticCodes.SingleSnapshotNeedsLinux
            || code == DiagnosticCodes.ForeignPlatformRun || code == DiagnosticCodes.RunNeedsRootInContainer
            || code == DiagnosticCodes.BuildFolderNotWritable || code == DiagnosticCodes.StageRootFuseUnavailable)
        {
            return NotAvailable;
        }

        return code.Number switch
        {
            >= 3100 and < 3300 => RegistryFailed,
            >= 5000 and < 6000 => OutputFailed,
            _ => BuildFailed,
        };
    }
}
