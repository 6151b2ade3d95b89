using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>How the isolation is chosen, and the refusals of the unisolated mode.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SandboxSelectionTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public void Automatic_PrefersBubblewrap_AndReportsTheChoice()
    {
        TestRequirements.Executable("bwrap");
        var events = new RecordingSink();

        var sandbox = SandboxFactory.Create(SandboxKind.Automatic, events);

        Assert.Equal(SandboxKind.Bubblewrap, sandbox.Kind);
        Assert.Contains(events.Events, e => e is MessageEvent m && m.Text.StartsWith("RUN isolation: bubblewrap", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Automatic_RefusesTheMachinesRoot()
    {
        TestRequirements.Executable("bwrap");
        var sandbox = SandboxFactory.Create(SandboxKind.Automatic);
        var directory = "/kaniko-test-never-created-" + Guid.NewGuid().ToString("N");
        var spec = new SandboxSpec("/", ["/kaniko-test-never-runs"], [], "", directory);

        var error = await Assert.ThrowsAsync<KanikoException>(() => sandbox.RunAsync(spec, null, CancellationToken.None));

        Assert.NotEqual(SandboxKind.None, sandbox.Kind);
        Assert.Equal(DiagnosticCodes.SandboxRootFsInvalid, error.Code);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task None_RefusesAnyRootFsButTheMachinesRoot()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var sandbox = SandboxFactory.Create(SandboxKind.None);

        var error = await Assert.ThrowsAsync<KanikoException>(() => sandbox.RunAsync(rootFs.Shell("true"), null, CancellationToken.None));

        Assert.Equal(SandboxKind.None, sandbox.Kind);
        Assert.Equal(DiagnosticCodes.SandboxRootFsInvalid, error.Code);
        Assert.Contains("--isolation none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task None_BuildsASetprivCommandForAnotherUser_WithoutRunningIt()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var tools = new HostToolPaths("/usr/bin/setsid", null, "/usr/bin/setpriv", null, "/usr/bin/env");
        var spec = rootFs.Shell("id", "app") with { WorkingDirectory = "/home/app" };
        using var scratch = StepScratch.Prepare(spec);

        var command = HostSandbox.BuildCommand(spec, scratch, tools, uid: 0, gid: 0);

        Assert.Equal(
            "/usr/bin/setpriv --reuid=1000 --regid=1000 --groups=1000,50,29 -- /usr/bin/env --chdir=/home/app -- /bin/sh -c id",
            command.ToString());
        Assert.Equal([BusyboxRootFs.DefaultPath, "HOME=/home/app"], command.Environment);
    }

    private sealed class RecordingSink : IBuildEventSink
    {
        public List<BuildEvent> Events { get; } = [];

        public void Report(BuildEvent buildEvent)
        {
            lock (Events)
            {
                Events.Add(buildEvent);
            }
        }
    }
}
