using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>The sandbox contract in chroot mode, selected explicitly; it needs root.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ChrootSandboxTests : SandboxContractTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task DeviceNodes_AreMadeAndRemoved()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("ls /dev"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["full", "null", "random", "tty", "urandom", "zero"], run.Output.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(rootFs.Combine("dev")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WhereNamespacesAreAllowed_TheStepSeesOnlyItsOwnProcesses()
    {
        var sandbox = CreateSandbox();
        using (var probe = System.Diagnostics.Process.Start("unshare", ["--mount", "--pid", "--fork", "--kill-child", "true"]))
        {
            await probe.WaitForExitAsync(TestContext.Current.CancellationToken);
            if (probe.ExitCode != 0)
            {
                Assert.Skip("this machine does not let root make mount and PID namespaces");
            }
        }

        using var rootFs = await BusyboxRootFs.CreateAsync();
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var run = await SandboxRun.RunAsync(sandbox, rootFs.Shell($"test -e /proc/self/status && ! test -e /proc/{self} && echo isolated"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["isolated"], run.Output);
        Assert.DoesNotContain(rootFs.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    private protected override ISandbox CreateSandbox()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("chroot mode needs root");
        }

        TestRequirements.Executable("unshare");
        TestRequirements.Executable("setpriv");
        return SandboxFactory.Create(SandboxKind.Chroot);
    }
}
