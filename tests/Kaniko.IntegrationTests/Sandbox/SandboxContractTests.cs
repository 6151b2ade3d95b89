using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Sandbox;

/// <summary>
/// What every isolating sandbox must do, run against a busybox rootfs in a temporary folder (never the host's /).
/// Each derived class supplies one isolation mode.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class SandboxContractTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates the sandbox under test, or skips the test when it cannot run here.</summary>
    private protected abstract ISandbox CreateSandbox();

    private protected static CancellationToken Timeout => new CancellationTokenSource(StepTimeout).Token;

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Echo_IsCapturedLineByLineWithItsStream()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("echo one; echo two; echo oops >&2"), Timeout);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["one", "two"], run.Output);
        Assert.Contains(new SandboxOutputLine(SandboxOutputStream.StandardError, "oops"), run.Lines);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task ExitCode_IsReturned()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var sandbox = CreateSandbox();

        var run = await SandboxRun.RunAsync(sandbox, rootFs.Shell("exit 3"), Timeout);

        Assert.Equal(3, run.ExitCode);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Environment_IsExactlyTheGivenOne()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = new SandboxSpec(rootFs.Path, ["env"], [BusyboxRootFs.DefaultPath, "GREETING=hello world", "EMPTY="], "", "/");

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        // bwrap always exports PWD (the working directory); shells set it anyway. HOME is added as runc adds it.
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["EMPTY=", "GREETING=hello world", "HOME=/root", BusyboxRootFs.DefaultPath],
            run.Output.Where(l => l != "PWD=/").Order(StringComparer.Ordinal));
    }

    [Theory]
    [Trait("Category", "Integration")]
    [InlineData("app", "", "/home/app")]
    [InlineData("4242:4242", "", "/")]
    [InlineData("app", "HOME=/custom", "/custom")]
    public async Task Home_IsTheUsersFromPasswd_UnlessTheStepSetsOne(string user, string home, string expected)
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = rootFs.Shell("echo \"$HOME\"", user) with { WorkingDirectory = "/tmp" };
        spec = home.Length == 0 ? spec : spec with { Environment = [.. spec.Environment, home] };

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([expected], run.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WorkingDirectory_IsCreatedForTheUser_AndKept()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = rootFs.Shell("pwd; touch mine", "app") with { WorkingDirectory = "/srv/app/data/" };

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["/srv/app/data"], run.Output);
        Assert.True(File.Exists(rootFs.Combine("srv", "app", "data", "mine")));
        Assert.Equal("1000:1000", await OwnerAsync(rootFs.Combine("srv", "app")));
        Assert.Equal("1000:1000", await OwnerAsync(rootFs.Combine("srv", "app", "data", "mine")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task UserByName_GetsItsPrimaryAndSupplementaryGroups()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("id", "app"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        var id = Assert.Single(run.Output);
        Assert.StartsWith("uid=1000(app) gid=1000(app) groups=", id, StringComparison.Ordinal);
        Assert.Equal(["1000(app)", "29(audio)", "50(staff)"], Groups(id));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task UserByUidAndGid_GetsOnlyThatGroup()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("id", "1000:50"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["uid=1000(app) gid=50(staff) groups=50(staff)"], run.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Root_IsRootInTheRootFs()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("id; touch /made-by-root"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["uid=0(root) gid=0(root) groups=0(root)"], run.Output);
        Assert.Equal("0:0", await OwnerAsync(rootFs.Combine("made-by-root")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task HostFiles_AreNotReachable()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        using var host = new TempDirectory("kaniko-host-marker-");
        File.WriteAllText(host.Combine("marker"), "host");

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell($"test -e '{host.Combine("marker")}' && echo visible; ls /"), Timeout);

        Assert.DoesNotContain("visible", run.Output);
        Assert.DoesNotContain("usr", run.Output);
        Assert.Contains("bin", run.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task DevNull_Works()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("echo gone > /dev/null && head -c 4 /dev/zero | wc -c"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["4"], run.Output.Select(l => l.Trim()));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task MountPoints_AreRemovedAfterTheStep()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();
        var etcBefore = Directory.GetFiles(rootFs.Combine("etc")).Order(StringComparer.Ordinal).ToArray();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("ls /proc/self > /dev/null && cat /etc/hosts"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains(run.Output, l => l.Contains("localhost", StringComparison.Ordinal));
        Assert.Equal(before, rootFs.TopLevel());
        Assert.Equal(etcBefore, Directory.GetFiles(rootFs.Combine("etc")).Order(StringComparer.Ordinal).ToArray());
        Assert.DoesNotContain(rootFs.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task HeredocScript_IsProvidedAtItsPath()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = new SandboxSpec(rootFs.Path, ["/dev/pipes/EOF"], [BusyboxRootFs.DefaultPath], "", "/")
        {
            Script = new RunScript("/dev/pipes/EOF", "#!/bin/sh\necho from the script\n"),
        };

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["from the script"], run.Output);
        Assert.False(Directory.Exists(rootFs.Combine("dev")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task BindAndTmpfsMounts_AreMadeAndRemoved()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        using var readOnly = new TempDirectory("kaniko-bind-ro-");
        using var readWrite = new TempDirectory("kaniko-bind-rw-");
        File.WriteAllText(readOnly.Combine("input"), "given");
        var spec = rootFs.Shell(
            "cat /mnt/in/input; echo; touch /mnt/in/nope 2>/dev/null || echo read-only; echo written > /cache/out; " +
            "echo scratch > /scratch/file && ls /scratch") with
        {
            BindMounts = [new SandboxBindMount(readOnly.Path, "/mnt/in", ReadOnly: true), new SandboxBindMount(readWrite.Path, "/cache", ReadOnly: false)],
            TmpfsMounts = [new SandboxTmpfsMount("/scratch", 1 << 20)],
        };

        var run = await SandboxRun.RunAsync(CreateSandbox(), spec, Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["given", "read-only", "file"], run.Output);
        Assert.Equal("written\n", File.ReadAllText(readWrite.Combine("out")));
        Assert.False(File.Exists(readOnly.Combine("nope")));
        Assert.False(Directory.Exists(rootFs.Combine("mnt")));
        Assert.False(Directory.Exists(rootFs.Combine("cache")));
        Assert.False(Directory.Exists(rootFs.Combine("scratch")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Cancellation_KillsTheStepAndCleansUp()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();
        var marker = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var lines = new LineCollector();
        using var cancellation = new CancellationTokenSource();
        var spec = rootFs.Shell($"sleep {marker} & echo started; wait");

        var run = CreateSandbox().RunAsync(spec, lines, cancellation.Token);
        try
        {
            await lines.WaitForAsync("started", StepTimeout);
            await WaitUntilAsync(() => SleepersWith(marker) > 0);
            Assert.True(SleepersWith(marker) > 0, "the step's sleep should be running");
        }
        finally
        {
            // Also when an assertion failed: a step left running would keep its mounts.
            cancellation.Cancel();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        await WaitUntilAsync(() => SleepersWith(marker) == 0);
        Assert.Equal(0, SleepersWith(marker));
        Assert.Equal(before, rootFs.TopLevel());
        Assert.DoesNotContain(rootFs.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task DetachedProcess_DoesNotOutliveTheStep()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var marker = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

        var run = await SandboxRun.RunAsync(
            CreateSandbox(), rootFs.Shell($"setsid sleep {marker} </dev/null >/dev/null 2>&1 & sleep 0.3; echo left"), Timeout);
        await WaitUntilAsync(() => SleepersWith(marker) == 0);

        Assert.Equal(["left"], run.Output);
        Assert.Equal(0, SleepersWith(marker));
        Assert.DoesNotContain(rootFs.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task UnknownUser_FailsWithBuildKitsMessage()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var error = await Assert.ThrowsAsync<KanikoException>(() => SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("true", "ghost"), Timeout));

        Assert.Equal(DiagnosticCodes.RunUserNotFound, error.Code);
        Assert.Equal("unable to find user ghost: no matching entries in passwd file", error.Message);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task MissingBindSource_FailsAndLeavesNothingBehind()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        using var sources = new TempDirectory("kaniko-bind-");
        var before = rootFs.TopLevel();
        var spec = rootFs.Shell("true") with
        {
            TmpfsMounts = [new SandboxTmpfsMount("/scratch")],
            BindMounts = [new SandboxBindMount(sources.Combine("absent"), "/mnt/deep/in", ReadOnly: true)],
        };

        var error = await Assert.ThrowsAsync<KanikoException>(() => SandboxRun.RunAsync(CreateSandbox(), spec, Timeout));

        Assert.Equal(DiagnosticCodes.RunMountInvalid, error.Code);
        Assert.Equal(before, rootFs.TopLevel());
        Assert.DoesNotContain(rootFs.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task ResolvConfLink_IsFollowedInsideTheRootFs()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        File.CreateSymbolicLink(rootFs.Combine("etc", "resolv.conf"), "/run/resolve/stub-resolv.conf");
        var before = rootFs.TopLevel();

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("cat /etc/resolv.conf | wc -c"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        if (File.Exists("/etc/resolv.conf"))
        {
            Assert.Equal(File.ReadAllBytes("/etc/resolv.conf").Length.ToString(CultureInfo.InvariantCulture), run.Output[0].Trim());
        }

        Assert.Equal(before, rootFs.TopLevel());
        Assert.Equal("/run/resolve/stub-resolv.conf", new FileInfo(rootFs.Combine("etc", "resolv.conf")).LinkTarget);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task RelativeMountTarget_IsRejected()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var spec = rootFs.Shell("true") with { TmpfsMounts = [new SandboxTmpfsMount("relative/dir")] };

        var error = await Assert.ThrowsAsync<KanikoException>(() => SandboxRun.RunAsync(CreateSandbox(), spec, Timeout));

        Assert.Equal(DiagnosticCodes.RunMountInvalid, error.Code);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task WorkingDirectory_ThatIsAFile_Fails()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        File.WriteAllText(rootFs.Combine("etc", "data"), "x");

        var error = await Assert.ThrowsAsync<KanikoException>(
            () => SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("true") with { WorkingDirectory = "/etc/data/sub" }, Timeout));

        Assert.Equal(DiagnosticCodes.RunWorkingDirectoryInvalid, error.Code);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task ExistingHostsAndResolvFiles_AreCoveredButUnchanged()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        File.WriteAllText(rootFs.Combine("etc", "hosts"), "10.0.0.1 image-own\n");
        File.WriteAllText(rootFs.Combine("etc", "resolv.conf"), "nameserver 10.0.0.2\n");

        var run = await SandboxRun.RunAsync(CreateSandbox(), rootFs.Shell("cat /etc/hosts"), Timeout);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(run.Output, l => l.Contains("image-own", StringComparison.Ordinal));
        Assert.Equal("10.0.0.1 image-own\n", File.ReadAllText(rootFs.Combine("etc", "hosts")));
        Assert.Equal("nameserver 10.0.0.2\n", File.ReadAllText(rootFs.Combine("etc", "resolv.conf")));
    }

    private protected static async Task<string> OwnerAsync(string path)
    {
        var result = await ExternalTools.RunCheckedAsync("stat", ["-c", "%u:%g", path]);
        return result.StandardOutput.Trim();
    }

    private static string[] Groups(string idLine) =>
        idLine[(idLine.IndexOf("groups=", StringComparison.Ordinal) + "groups=".Length)..].Split(',').Order(StringComparer.Ordinal).ToArray();

    // Counts processes whose command line is "sleep MARKER", by reading /proc of this machine.
    private static int SleepersWith(string marker)
    {
        var count = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                if (commandLine == "sleep " + marker)
                {
                    count++;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return count;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
