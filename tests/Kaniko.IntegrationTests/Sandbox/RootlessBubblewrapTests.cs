using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>
/// The rootless bubblewrap command (a user namespace mapping one uid), run as <c>nobody</c> by switching with
/// <c>setpriv</c>: the test process itself is root here, so it builds the command a rootless build would run.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RootlessBubblewrapTests
{
    private const string Nobody = "65534";

    [Fact]
    [Trait("Category", "Integration")]
    public async Task RootStep_IsRootInsideAndTheBuildingUserOnDisk()
    {
        var (exitCode, lines, _, rootFs) = await RunAsNobodyAsync(spec => spec);
        using (rootFs)
        {
            Assert.True(exitCode == 0, string.Join(" | ", lines));
            Assert.Equal("uid=0(root) gid=0(root)", lines[0]);
            Assert.Equal(Nobody + ":" + Nobody, (await ExternalTools.RunCheckedAsync("stat", ["-c", "%u:%g", rootFs.Combine("made")], cancellationToken: TestContext.Current.CancellationToken)).StandardOutput.Trim());
        }
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task UserWithGroups_RunsWithItsPrimaryGroupAndWarns()
    {
        var (exitCode, lines, events, rootFs) = await RunAsNobodyAsync(spec => spec with { User = "app", Args = ["/bin/sh", "-c", "id"] });
        using (rootFs)
        {
            Assert.True(exitCode == 0, string.Join(" | ", lines));
            Assert.StartsWith("uid=1000(app) gid=1000(app)", lines[0], StringComparison.Ordinal);
            Assert.Contains(events, e => e is WarningEvent w && w.Warning.Code == DiagnosticCodes.SandboxDegraded);
        }
    }

    private static async Task<(int ExitCode, IReadOnlyList<string> Lines, IReadOnlyList<BuildEvent> Events, BusyboxRootFs RootFs)> RunAsNobodyAsync(
        Func<SandboxSpec, SandboxSpec> adjust)
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("switching to nobody needs root");
        }

        var tools = new HostToolPaths(
            TestRequirements.Executable("setsid"), TestRequirements.Executable("bwrap"), TestRequirements.Executable("setpriv"),
            TestRequirements.Executable("unshare"), TestRequirements.Executable("env"));
        var rootFs = await BusyboxRootFs.CreateAsync();
        await ExternalTools.RunCheckedAsync("chown", ["-R", Nobody + ":" + Nobody, rootFs.Path]);
        var events = new List<BuildEvent>();
        var sandbox = new BubblewrapSandbox(tools, new ListSink(events));
        var spec = adjust(rootFs.Shell("id; touch /made"));
        using var scratch = StepScratch.Prepare(spec);
        await ExternalTools.RunCheckedAsync("chown", ["-R", Nobody + ":" + Nobody, scratch.Folder]);
        using var stubs = new MountStubs(scratch.RootFs);
        var command = sandbox.BuildCommand(spec, scratch, stubs, asRoot: false);
        var asNobody = new HostCommand(
            tools.Setpriv!, ["--reuid=" + Nobody, "--regid=" + Nobody, "--clear-groups", "--", command.FileName, .. command.Arguments], command.Environment);
        var lines = new LineCollector();
        var exitCode = await SandboxProcess.RunAsync(asNobody, tools.Setsid, lines, TestContext.Current.CancellationToken);
        return (exitCode, lines.Snapshot().Select(l => l.Text).ToArray(), events, rootFs);
    }

    private sealed class ListSink(List<BuildEvent> events) : IBuildEventSink
    {
        public void Report(BuildEvent buildEvent) => events.Add(buildEvent);
    }
}
