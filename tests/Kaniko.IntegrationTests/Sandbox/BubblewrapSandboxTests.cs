using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>The sandbox contract and the namespaces of the bubblewrap mode.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BubblewrapSandboxTests : SandboxContractTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task NetworkNone_LeavesOnlyLoopback()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = rootFs.Shell("tail -n +3 /proc/net/dev | cut -d: -f1") with { Network = SandboxNetwork.None };

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["lo"], run.Output.Select(l => l.Trim()));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task NetworkShared_SeesTheMachinesInterfaces()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var machine = File.ReadAllLines("/proc/net/dev").Skip(2).Select(l => l.Split(':')[0].Trim()).Order(StringComparer.Ordinal).ToArray();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("tail -n +3 /proc/net/dev | cut -d: -f1"), Timeout);

        Assert.Equal(machine, run.Output.Select(l => l.Trim()).Order(StringComparer.Ordinal));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task PidNamespace_ShowsOnlyTheStepsProcesses()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("echo $$; ls /proc | grep -c '^[0-9]'"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.InRange(int.Parse(run.Output[0], System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        Assert.InRange(int.Parse(run.Output[1], System.Globalization.CultureInfo.InvariantCulture), 1, 4);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Hostname_IsBuildKitsOrTheGivenOne()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var sandbox = CreateSandbox();

        var standard = await SandboxRun.RunAsync(sandbox, rootFs.Shell("hostname"), Timeout);
        var given = await SandboxRun.RunAsync(sandbox, rootFs.Shell("hostname") with { Hostname = "builder-7" }, Timeout);

        Assert.Equal(["buildkitsandbox"], standard.Output);
        Assert.Equal(["builder-7"], given.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task NonRootUser_HasNoCapabilities()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("grep -E '^Cap(Prm|Eff|Amb)' /proc/self/status", "app"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.All(run.Output, l => Assert.EndsWith("0000000000000000", l, StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Sys_IsMountedReadOnly_WhenTheRootFsHasTheFolder()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        Directory.CreateDirectory(rootFs.Combine("sys"));

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("ls /sys | grep -c . ; touch /sys/x 2>/dev/null || echo read-only"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(int.Parse(run.Output[0], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("read-only", run.Output[1]);
        Assert.Empty(Directory.GetFileSystemEntries(rootFs.Combine("sys")));
    }

    private protected override ISandbox CreateSandbox()
    {
        TestRequirements.Executable("bwrap");
        return SandboxFactory.Create(SandboxKind.Bubblewrap);
    }
}
