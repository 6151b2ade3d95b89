namespace Kaniko.Cli;

/// <summary>The process exit codes of <c>dotnet kaniko</c> (documented in <c>docs/cli.md</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    internal const int Success = 0;

    /// <summary>The build failed: a bad Dockerfile, context or request found by the engine.</summary>
    internal const int BuildFailed = 1;

    /// <summary>The command line is invalid: an unknown option, a missing value, a malformed build argument or platform.</summary>
    internal const int UsageError = 2;

    /// <summary>The command asked for something this version cannot do yet (building an image without <c>--dry-run</c>).</summary>
    internal const int NotAvailable = 3;

    /// <summary>A bug in the tool.</summary>
    internal const int InternalError = 70;
}
