using System.Diagnostics;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Mounts;

/// <summary><see cref="RunMountSandboxTests"/> under bubblewrap.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BubblewrapRunMountTests : RunMountSandboxTests
{
    private protected override ISandbox CreateSandbox()
    {
        TestRequirements.Executable("bwrap");
        return SandboxFactory.Create(SandboxKind.Bubblewrap);
    }
}

/// <summary><see cref="RunMountSandboxTests"/> in chroot mode (root only).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ChrootRunMountTests : RunMountSandboxTests
{
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

/// <summary>
/// <see cref="RunMountPreparer"/> with a sandbox on a busybox rootfs: what each mount type shows the step, and that
/// nothing of it stays in the rootfs or on the machine afterwards. Each derived class supplies one isolation mode.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public abstract class RunMountSandboxTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _root = new("kaniko-mounts-");
    private readonly List<string> _madeOutside = [];

    private protected RunMountSandboxTests()
    {
        Directory.CreateDirectory(Context);
        Directory.CreateDirectory(Work);
    }

    private string Context => _root.Combine("context");

    private string Work => _root.Combine("work");

    private static CancellationToken Timeout => new CancellationTokenSource(StepTimeout).Token;

    /// <summary>Creates the sandbox under test, or skips the test when it cannot run here.</summary>
    private protected abstract ISandbox CreateSandbox();

    public void Dispose()
    {
        _root.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Tmpfs_IsEmptyAndWritable_AndLeavesNoMountPoint()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();

        var run = await RunAsync(rootFs, "ls -A /scratch | wc -l; echo hi > /scratch/f && cat /scratch/f", Mounts("type=tmpfs,target=/scratch,size=1m"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["0", "hi"], run.Output.Select(l => l.Trim()));
        Assert.Equal(before, rootFs.TopLevel());
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task BindFromContext_IsReadOnly_AndHidesIgnoredFiles()
    {
        File.WriteAllText(Path.Combine(Context, "app.txt"), "app\n");
        File.WriteAllText(Path.Combine(Context, "private.key"), "no\n");
        File.WriteAllText(Path.Combine(Context, ".dockerignore"), "*.key\n");
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();

        var run = await RunAsync(rootFs, "cat /src/app.txt; test -e /src/private.key || echo ignored; touch /src/new 2>/dev/null || echo read-only",
            Mounts("type=bind,target=/src"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["app", "ignored", "read-only"], run.Output);
        Assert.Equal(before, rootFs.TopLevel());
        Assert.Empty(Directory.GetFileSystemEntries(Work));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task BindReadWrite_WritesAreThrownAway()
    {
        File.WriteAllText(Path.Combine(Context, "app.txt"), "app\n");
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await RunAsync(rootFs, "echo changed > /src/app.txt && echo new > /src/new && cat /src/app.txt",
            Mounts("type=bind,target=/src,rw"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["changed"], run.Output);
        Assert.Equal("app\n", File.ReadAllText(Path.Combine(Context, "app.txt")));
        Assert.False(File.Exists(Path.Combine(Context, "new")));
        Assert.False(Directory.Exists(rootFs.Combine("src")));
        Assert.Empty(Directory.GetFileSystemEntries(Work));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task BindFromStage_MountsTheSubdirectory_AtARelativeTarget()
    {
        var stage = _root.Combine("stage");
        Directory.CreateDirectory(Path.Combine(stage, "out"));
        File.WriteAllText(Path.Combine(stage, "out", "tool"), "built\n");
        using var sources = new DirectoryMountSources(Context, new Dictionary<string, string> { ["build"] = stage });
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await RunAsync(rootFs, "cat /srv/bin/tool", Mounts("type=bind,from=build,source=/out,target=bin"), sources, workingDirectory: "/srv");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["built"], run.Output);
        Assert.False(Directory.Exists(rootFs.Combine("srv", "bin")));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task BindSource_NeverLeavesTheContext()
    {
        Directory.CreateDirectory(Path.Combine(Context, "dir"));
        File.CreateSymbolicLink(Path.Combine(Context, "dir", "up"), "../../../../../../etc");
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var climbing = await Assert.ThrowsAsync<KanikoException>(() => RunAsync(rootFs, "true", Mounts("type=bind,source=../../etc,target=/x")));
        var linked = await Assert.ThrowsAsync<KanikoException>(() => RunAsync(rootFs, "true", Mounts("type=bind,source=dir/up/passwd,target=/x")));

        Assert.Equal(DiagnosticCodes.MountSourceNotFound, climbing.Code);
        Assert.Equal(DiagnosticCodes.MountSourceNotFound, linked.Code);
        Assert.Equal("mount source /etc not found in the build context", climbing.Message);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Cache_IsKeptBetweenSteps_ButNeverInTheRootFs()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();
        var mount = Mounts("type=cache,target=/root/.cache/pkg");

        var first = await RunAsync(rootFs, "stat -c %a /root/.cache/pkg; echo one >> /root/.cache/pkg/log", mount);
        var second = await RunAsync(rootFs, "cat /root/.cache/pkg/log", mount);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(["755"], first.Output);
        Assert.Equal(["one"], second.Output);
        Assert.Equal(before, rootFs.TopLevel());
        Assert.Empty(Directory.GetFileSystemEntries(rootFs.Combine("root")));
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(_root.Path, "cache", "run-cache")));
        Assert.StartsWith("root_.cache_pkg-", Path.GetFileName(folder), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Cache_WithOwnerAndMode_AndSeededFromAStage()
    {
        var stage = _root.Combine("stage");
        Directory.CreateDirectory(Path.Combine(stage, "deps"));
        File.WriteAllText(Path.Combine(stage, "deps", "lib"), "seed\n");
        using var sources = new DirectoryMountSources(Context, new Dictionary<string, string> { ["deps"] = stage });
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var run = await RunAsync(rootFs, "stat -c '%a %u:%g' /c /s; cat /s/lib",
            Mounts("type=cache,id=owned,target=/c,uid=1000,gid=50,mode=0700", "type=cache,target=/s,from=deps,source=deps"), sources);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["700 1000:50", "755 0:0", "seed"], run.Output);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task SecretFile_IsReadableAtRunSecrets_AndGoneAfterwards()
    {
        var file = _root.Combine("token.txt");
        File.WriteAllText(file, "s3cr3t");
        var secrets = new[] { SecretSource.Parse("id=token,src=" + file, _ => null) };
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();

        var run = await RunAsync(rootFs, "cat /run/secrets/token; echo; stat -c '%a %u' /run/secrets/token; cat /etc/app-key",
            Mounts("type=secret,id=token", "type=secret,id=token,target=/etc/app-key,mode=0444"), secrets: secrets);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["s3cr3t", "400 0", "s3cr3t"], run.Output);
        Assert.Equal(before, rootFs.TopLevel());
        Assert.False(File.Exists(rootFs.Combine("etc", "app-key")));
        AssertNothingLeftOutside();
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task SecretEnv_IsAVariableOnly()
    {
        var variable = "KANIKO_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var secrets = new[] { SecretSource.Parse($"id=api,env={variable}", Environment.GetEnvironmentVariable) };
            using var rootFs = await BusyboxRootFs.CreateAsync();

            var run = await RunAsync(rootFs, "echo $API_TOKEN; test -e /run/secrets/api || echo no-file", Mounts("type=secret,id=api,env=API_TOKEN"), secrets: secrets);

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(["from-env", "no-file"], run.Output);
            Assert.False(Directory.Exists(rootFs.Combine("run")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task SecretEnv_NeverAppearsOnACommandLine()
    {
        const string Value = "cmdline-secret-61f0";
        var variable = "KANIKO_TEST_SECRET_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, Value);
        try
        {
            var secrets = new[] { SecretSource.Parse($"id=api,env={variable}", Environment.GetEnvironmentVariable) };
            using var rootFs = await BusyboxRootFs.CreateAsync();
            var seen = false;

            var step = RunAsync(rootFs, "echo $LD_LIBRARY_PATH; sleep 2; echo ${#API_TOKEN}", Mounts("type=secret,id=api,env=API_TOKEN"), secrets: secrets,
                environment: ["LD_LIBRARY_PATH=/opt/step-libs"]);
            while (!step.IsCompleted)
            {
                seen |= CommandLines().Any(c => c.Contains(Value, StringComparison.Ordinal));
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            var run = await step;
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(["/opt/step-libs", Value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)], run.Output);
            Assert.False(seen);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task SecretMissing_IsSkipped_UnlessRequired()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var optional = await RunAsync(rootFs, "test -e /run/secrets/absent || echo skipped", Mounts("type=secret,id=absent"));
        var required = await Assert.ThrowsAsync<KanikoException>(() => RunAsync(rootFs, "true", Mounts("type=secret,id=absent,required")));

        Assert.Equal(["skipped"], optional.Output);
        Assert.Equal(DiagnosticCodes.SecretRequired, required.Code);
        Assert.Contains("secret absent is required", required.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Ssh_GivesASocketAtTheDefaultTarget_AndSetsSshAuthSock()
    {
        using var agent = await SshAgent.StartAsync(_root.Combine("agent"));
        var agents = new[] { SshSource.Parse("default=" + agent.SocketPath, _ => null) };
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();

        var run = await RunAsync(rootFs, "echo $SSH_AUTH_SOCK; test -S $SSH_AUTH_SOCK && stat -c %a $SSH_AUTH_SOCK", Mounts("type=ssh"), agents: agents);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(["/run/buildkit/ssh_agent.0", "600"], run.Output);
        Assert.Equal(before, rootFs.TopLevel());
        AssertNothingLeftOutside();
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task SshMissing_IsSkipped_UnlessRequired()
    {
        using var rootFs = await BusyboxRootFs.CreateAsync();

        var optional = await RunAsync(rootFs, "echo $SSH_AUTH_SOCK; test -e $SSH_AUTH_SOCK || echo skipped", Mounts("type=ssh,id=deploy,target=/tmp/agent"));
        var required = await Assert.ThrowsAsync<KanikoException>(() => RunAsync(rootFs, "true", Mounts("type=ssh,required")));

        Assert.Equal(["/tmp/agent", "skipped"], optional.Output);
        Assert.Equal(DiagnosticCodes.SshRequired, required.Code);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task FailedAndCancelledSteps_LeaveNothingBehind()
    {
        File.WriteAllText(Path.Combine(Context, "app.txt"), "app\n");
        var file = _root.Combine("token.txt");
        File.WriteAllText(file, "s3cr3t");
        var secrets = new[] { SecretSource.Parse("id=token,src=" + file, _ => null) };
        using var rootFs = await BusyboxRootFs.CreateAsync();
        var before = rootFs.TopLevel();
        var mounts = Mounts("type=bind,target=/src/a/b,rw", "type=tmpfs,target=/t", "type=secret,id=token", "type=cache,target=/var/cache/x");

        var failed = await RunAsync(rootFs, "exit 3", mounts, secrets: secrets);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(rootFs, "sleep 60", mounts, secrets: secrets, cancellationToken: cancel.Token));

        Assert.Equal(3, failed.ExitCode);
        Assert.Equal(before, rootFs.TopLevel());
        AssertNothingLeftOutside();
        Assert.Empty(Directory.GetFileSystemEntries(rootFs.Combine("tmp")));
        Assert.Empty(Directory.GetFileSystemEntries(Work));
    }

    // Every process's arguments, as any user of the machine may read them.
    private static IEnumerable<string> CommandLines()
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(directory, "cmdline"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            yield return text;
        }
    }

    // The copies, secret files and agent sockets made for the steps (caches stay, by design).
    private void AssertNothingLeftOutside()
    {
        Assert.NotEmpty(_madeOutside);
        Assert.All(_madeOutside, path => Assert.False(Path.Exists(path) || Path.Exists(Path.GetDirectoryName(path)), path));
    }

    private static IReadOnlyList<RunMount> Mounts(params string[] specs) => [.. specs.Select(s => RunMount.Parse(s, v => v, null))];

    private async Task<SandboxRun> RunAsync(
        BusyboxRootFs rootFs, string script, IReadOnlyList<RunMount> mounts, DirectoryMountSources? sources = null, string workingDirectory = "/",
        IReadOnlyList<SecretSource>? secrets = null, IReadOnlyList<SshSource>? agents = null, CancellationToken? cancellationToken = null,
        IReadOnlyList<string>? environment = null)
    {
        var preparer = new RunMountPreparer(new RunMountOptions
        {
            Caches = new CacheMountStore(_root.Combine("cache")),
            WorkDirectory = Work,
            Secrets = secrets ?? [],
            SshAgents = agents ?? [],
        });
        using var ownSources = sources is null ? new DirectoryMountSources(Context) : null;
        var token = cancellationToken ?? Timeout;
        using var prepared = await preparer.PrepareAsync(mounts, workingDirectory, sources ?? ownSources!, null, token);
        var shell = rootFs.Shell(script);
        var spec = prepared.ApplyTo(shell with { WorkingDirectory = workingDirectory, Environment = [.. shell.Environment, .. environment ?? []] });
        _madeOutside.AddRange(prepared.BindMounts.Select(b => b.Source).Where(p => !p.StartsWith(_root.Combine("cache"), StringComparison.Ordinal)));
        return await SandboxRun.RunAsync(CreateSandbox(), spec, token);
    }
}

/// <summary>A real <c>ssh-agent</c> on a socket of its own holding one fresh ed25519 key; killed on dispose.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class SshAgent : IDisposable
{
    private readonly Process _process;

    private SshAgent(Process process, string socketPath)
    {
        _process = process;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    public static async Task<SshAgent> StartAsync(string folder)
    {
        var agentProgram = TestRequirements.Executable("ssh-agent");
        var keygen = TestRequirements.Executable("ssh-keygen");
        var add = TestRequirements.Executable("ssh-add");
        Directory.CreateDirectory(folder);
        var socket = Path.Combine(folder, "s");
        var process = Process.Start(new ProcessStartInfo(agentProgram, ["-D", "-a", socket]) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var agent = new SshAgent(process, socket);
        try
        {
            for (var i = 0; i < 100 && !File.Exists(socket); i++)
            {
                await Task.Delay(50);
            }

            var key = Path.Combine(folder, "id");
            await ExternalTools.RunCheckedAsync(keygen, ["-q", "-t", "ed25519", "-N", "", "-C", "kaniko-test", "-f", key]);
            await ExternalTools.RunCheckedAsync("/usr/bin/env", ["SSH_AUTH_SOCK=" + socket, add, "-q", key]);
            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
