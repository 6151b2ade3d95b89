using Kaniko.Cli;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Tests;

/// <summary>The exit codes of RUN failures: what cannot run here is 3, a step that failed is 1.</summary>
public sealed class ExitCodeTests
{
    public static TheoryData<string, int> Codes => new()
    {
        { nameof(DiagnosticCodes.SandboxUnavailable), 3 },
        { nameof(DiagnosticCodes.SandboxKindUnavailable), 3 },
        { nameof(DiagnosticCodes.RunNeedsLinux), 3 },
        { nameof(DiagnosticCodes.SingleSnapshotNeedsLinux), 3 },
        { nameof(DiagnosticCodes.ForeignPlatformRun), 3 },
        { nameof(DiagnosticCodes.RunNeedsRootInContainer), 3 },
        { nameof(DiagnosticCodes.BuildFolderNotWritable), 3 },
        { nameof(DiagnosticCodes.RunStepFailed), 1 },
        { nameof(DiagnosticCodes.RunProgramNotFound), 1 },
        { nameof(DiagnosticCodes.RunSecurityInsecure), 1 },
        { nameof(DiagnosticCodes.IsolationNoneSecondStage), 1 },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void Run_failures_map_to_their_exit_code(string name, int expected)
    {
        var code = (DiagnosticCode)typeof(DiagnosticCodes).GetField(name)!.GetValue(null)!;

        Assert.Equal(expected, ExitCodes.For(code));
    }
}
