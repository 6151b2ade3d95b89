using System.Globalization;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// Signals sent to the real CLI while a <c>RUN sleep</c> runs in chroot mode: however the builder ends (SIGKILL, which
/// nothing can catch, or SIGTERM/SIGINT, which it handles), no mount below its temporary folder stays in this
/// machine's mount table and the step's sleep does not outlive it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ChrootSignalTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private readonly ReliabilityScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData("KILL")]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signalled_chroot_build_leaves_no_mount_and_no_step_process(string signal)
    {
        RequireChrootMode();
        var busybox = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        // A number no other process sleeps for, so the step's sleep is found by its command line.
        var marker = Random.Shared.Next(300_000, 999_999).ToString(CultureInfo.InvariantCulture);
        _scratch.WriteDockerfile($"FROM {busybox.Reference}\nRUN sleep {marker}\n");

        using var child = CliChild.Start(
            _scratch.TarballBuild("--isolation", "chroot", "--insecure-registry", registry.Host), _scratch.Environment);
        IReadOnlyList<int> sleepers = [];
        Assert.True(await child.WaitUntilAsync(() => (sleepers = Sleepers(marker)).Count > 0),
            $"the step never ran:\n{child.Output}\n{child.Error}");
        Assert.Contains("RUN isolation: chroot", child.Output + child.Error, StringComparison.Ordinal);
        if (NamespacesAllowed())
        {
            // Here the step has namespaces of its own: its sleep is in another PID namespace, and once the step runs,
            // this machine's mount table holds none of its mounts (all of them live in the step's namespace).
            Assert.NotEqual(PidNamespace(Environment.ProcessId), PidNamespace(sleepers[0]));
            Assert.True(await EventuallyAsync(() => MountsBelow(_scratch.Tmp).Count == 0),
                "mounted in this machine's namespace while the step runs:\n" + string.Join('\n', MountsBelow(_scratch.Tmp)));
        }

        await child.SignalAsync(signal);
        var exitCode = await child.WaitAsync();

        Assert.NotNull(exitCode);
        Assert.True(await EventuallyAsync(() => !sleepers.Any(IsAlive)), $"the step's sleep outlived the builder (pids {string.Join(' ', sleepers)})");
        Assert.True(await EventuallyAsync(() => MountsBelow(_scratch.Tmp).Count == 0),
            "left mounted:\n" + string.Join('\n', MountsBelow(_scratch.Tmp)));
        Assert.DoesNotContain("internal error", child.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A root build's own mounts (the overlay root of a stage that runs steps) are private to it, whatever isolation
    /// runs the step, so SIGKILL leaves none on the machine, not even until the next build cleans up.
    /// </summary>
    [Fact]
    public async Task A_killed_root_build_leaves_no_stage_root_mounted()
    {
        RequireChrootMode();
        var busybox = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        var marker = Random.Shared.Next(300_000, 999_999).ToString(CultureInfo.InvariantCulture);
        _scratch.WriteDockerfile($"FROM {busybox.Reference}\nRUN sleep {marker}\n");

        using var child = CliChild.Start(_scratch.TarballBuild("--insecure-registry", registry.Host), _scratch.Environment);
        IReadOnlyList<int> sleepers = [];
        Assert.True(await child.WaitUntilAsync(() => (sleepers = Sleepers(marker)).Count > 0),
            $"the step never ran:\n{child.Output}\n{child.Error}");
        Assert.Empty(MountsBelow(_scratch.Tmp));

        await child.SignalAsync("KILL");
        await child.WaitAsync();

        Assert.True(await EventuallyAsync(() => !sleepers.Any(IsAlive)), $"the step's sleep outlived the builder (pids {string.Join(' ', sleepers)})");
        Assert.Empty(MountsBelow(_scratch.Tmp));
    }

    /// <summary>
    /// A build whose Dockerfile runs nothing starts without a private mount namespace; a <c>RUN</c> its base image's
    /// <c>ONBUILD</c> adds then gets an unpacked stage root, so SIGKILL still leaves nothing mounted.
    /// </summary>
    [Fact]
    public async Task A_killed_build_whose_only_run_comes_from_an_onbuild_of_its_base_leaves_nothing_mounted()
    {
        RequireChrootMode();
        var busybox = await BaseImages.PushBusyboxAsync(registry, TestContext.Current.CancellationToken);
        var marker = Random.Shared.Next(300_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var onbuild = $"{registry.Host}/onbuild-{marker}:latest";
        _scratch.WriteDockerfile($"FROM {busybox.Reference}\nONBUILD RUN sleep {marker}\n");
        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.BuildArguments("--destination", onbuild, "--insecure-registry", registry.Host), _scratch.Environment);
        Assert.True(exitCode == 0, $"the base did not build:\n{output}\n{error}");
        _scratch.WriteDockerfile($"FROM {onbuild}\nCOPY Dockerfile /\n");

        using var child = CliChild.Start(_scratch.TarballBuild("--insecure-registry", registry.Host, "--verbosity", "debug"), _scratch.Environment);
        IReadOnlyList<int> sleepers = [];
        Assert.True(await child.WaitUntilAsync(() => (sleepers = Sleepers(marker)).Count > 0),
            $"the trigger never ran:\n{child.Output}\n{child.Error}");
        Assert.Contains("private mount namespace: no RUN step in the stages built", child.Output + child.Error, StringComparison.Ordinal);
        Assert.True(await child.WaitUntilAsync(() => (child.Output + child.Error).Contains("RUN stage roots: unpacked", StringComparison.Ordinal)),
            $"the stage root was not unpacked:\n{child.Output}\n{child.Error}");

        await child.SignalAsync("KILL");
        await child.WaitAsync();

        Assert.True(await EventuallyAsync(() => !sleepers.Any(IsAlive)), $"the step's sleep outlived the builder (pids {string.Join(' ', sleepers)})");
        Assert.True(await EventuallyAsync(() => MountsBelow(_scratch.Tmp).Count == 0),
            "left mounted:\n" + string.Join('\n', MountsBelow(_scratch.Tmp)));
    }

    private static void RequireChrootMode()
    {
        if (Environment.UserName != "root")
        {
            Assert.Skip("chroot mode needs root");
        }

        TestRequirements.Executable("unshare");
        TestRequirements.Executable("setpriv");
    }

    // Whether this machine lets root make the namespaces chroot mode puts a step in.
    private static bool NamespacesAllowed()
    {
        using var probe = System.Diagnostics.Process.Start("unshare", ["--mount", "--pid", "--fork", "--kill-child", "true"]);
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static string? PidNamespace(int pid) => new FileInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/ns/pid").LinkTarget;

    // The mount points of this process's mount namespace (the machine's) at or below a folder.
    private static IReadOnlyList<string> MountsBelow(string folder)
    {
        var prefix = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return [.. File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' ')[4].Replace("\\040", " ", StringComparison.Ordinal))
            .Where(mountPoint => mountPoint == prefix || mountPoint.StartsWith(prefix + "/", StringComparison.Ordinal))];
    }

    // The processes whose command line is "sleep MARKER".
    private static IReadOnlyList<int> Sleepers(string marker)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim() == "sleep " + marker)
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended meanwhile.
            }
        }

        return found;
    }

    // A process that is gone or a zombie (ended, not yet reaped by whoever inherited it) no longer runs.
    private static bool IsAlive(int pid)
    {
        try
        {
            var status = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = status[(status.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Settle;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return true;
    }
}
