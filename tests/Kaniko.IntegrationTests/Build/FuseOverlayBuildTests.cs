using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The <c>fuse-overlayfs</c> rung of the stage-root ladder under real builds of the CLI, forced with
/// <c>--stage-root=fuse-overlay</c> (this machine's kernel would serve the kernel's rungs): a rootless build, given
/// a <c>/dev/fuse</c> it may open in a mount namespace of the test's own, mounts its stages' roots with it and reads a
/// step from the upper folder alone; a build killed with SIGKILL leaves neither the program nor its mount; and where
/// the rung cannot be used, forcing it is an error that says why.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed partial class FuseOverlayBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_rootless_build_on_the_fuse_rung_reads_a_step_from_the_upper_folder_only()
    {
        RequireFuseOverlayfs();
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {debian.Reference}
            RUN echo one > /one
            RUN rm -r /etc/apt && mkdir /etc/apt && echo x > /etc/apt/only && rm /etc/debian_version && mv /srv /srv-moved
            RUN ls -A /etc/apt > /apt-list && (test -e /etc/debian_version && echo present || echo gone) > /version
            """);
        var reference = _build.NewReference("rootless-fuse");

        var run = await RootlessCli.BuildWithOpenFuseAsync(_build, registry, user, reference, "--stage-root", "fuse-overlay", "--verbosity", "debug");

        var log = run.StandardOutput + run.StandardError;
        Assert.True(run.ExitCode == 0, log);
        Assert.Matches("RUN stage roots: overlay of the layer store \\(kernel overlay: passed over \\(--stage-root=fuse-overlay\\); fuse-overlayfs: [^;]+ in a user namespace;", log);
        Assert.DoesNotContain(": no overlay (", log, StringComparison.Ordinal);
        // The first step wrote one file: its snapshot read that path of the upper folder (and at most one more, an
        // ignored mount point the sandbox's mounts copied up), not the base's thousands.
        var snapshots = SnapshotPattern().Matches(log);
        Assert.Equal(3, snapshots.Count);
        Assert.True(int.Parse(snapshots[0].Groups[1].Value, CultureInfo.InvariantCulture) <= 2 && snapshots[0].Groups[2].Value == "1", log);
        var store = Path.Combine(_build.Path("home-" + user.Name), "cache", "layer-store");
        Assert.Equal(["v1-fuse"], Directory.GetDirectories(store).Select(Path.GetFileName));
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["one"], layers[^3].Select(e => e.Name));
        // fuse-overlayfs's own marks (.wh..wh..opq files, a .wh..opq device) became the layer's opaque whiteout and
        // nothing more; the renamed directory, which it copied up whole and marked opaque, is a new one. The same
        // entries as the kernel's rung in a user namespace gives for this step.
        var replaced = layers[^2].Select(e => e.Name).ToList();
        Assert.Equal(
            [".wh.srv", "etc/.wh.debian_version", "etc/apt/", "etc/apt/.wh..wh..opq", "etc/apt/only", "srv-moved/"],
            replaced.Order(StringComparer.Ordinal));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("only\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "apt-list"), BuildHarness.Cancellation));
        Assert.Equal("gone\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "version"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_build_killed_on_the_fuse_rung_leaves_no_fuse_overlayfs_process_and_no_mount()
    {
        RequireFuseOverlayfs();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo started && sleep 300
            """);
        // The build's work folders go under a temporary folder of this test's, which names its mounts and programs.
        var temp = Directory.CreateDirectory(_build.Path("tmp")).FullName;
        var start = LayerStoreBuildTests.Cli("build", "--context", _build.ContextDirectory, "--destination", _build.NewReference("fuse-killed"),
            "--insecure-registry", registry.Host, "--cache-dir", _build.CacheDirectory, "--stage-root", "fuse-overlay");
        start.Environment["TMPDIR"] = temp;
        var started = new TaskCompletionSource();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var cli = Process.Start(start)!)
        {
            cli.OutputDataReceived += (_, line) =>
            {
                log.Enqueue(line.Data ?? "");
                if (line.Data == "started")
                {
                    started.TrySetResult();
                }
            };
            cli.ErrorDataReceived += (_, line) => log.Enqueue(line.Data ?? "");
            cli.BeginOutputReadLine();
            cli.BeginErrorReadLine();
            try
            {
                await started.Task.WaitAsync(TimeSpan.FromMinutes(3), BuildHarness.Cancellation);
                Assert.Contains(ProcessesNaming(temp), p => p.Command.Contains("fuse-overlayfs", StringComparison.Ordinal));
                cli.Kill(); // SIGKILL: no handler of the build runs.
                await cli.WaitForExitAsync(BuildHarness.Cancellation);
            }
            finally
            {
                if (!cli.HasExited)
                {
                    cli.Kill(entireProcessTree: true);
                }
            }
        }

        // The program died with the build (its death signal), so the build's mount namespace emptied and its mount
        // went with it: no process names the folder, and none sees a mount in it.
        var waited = Stopwatch.StartNew();
        while (ProcessesNaming(temp).Count > 0 && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, BuildHarness.Cancellation);
        }

        Assert.True(ProcessesNaming(temp).Count == 0, string.Join("\n", ProcessesNaming(temp).Select(p => p.Pid + " " + p.Command)) + "\n" + string.Join("\n", log));
        Assert.DoesNotContain(Directory.EnumerateDirectories("/proc").Where(IsProcess), p => ReadOrEmpty(Path.Combine(p, "mountinfo")).Contains(temp, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forcing_the_fuse_rung_where_it_cannot_be_used_fails_with_the_reason()
    {
        RequireFuseOverlayfs();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nRUN true\n");
        // Without subordinate ids the build stays this user's, in the machine's mount namespace: no rung 3 there.
        await using var user = await ThrowawayUser.CreateAsync(withRanges: false, BuildHarness.Cancellation);

        var run = await RootlessCli.BuildAsync(_build, registry, user, _build.NewReference("fuse-refused"), "--stage-root", "fuse-overlay");

        Assert.True(run.ExitCode == 3, run.StandardOutput + run.StandardError);
        Assert.Contains("[KANIKO4740]", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("fuse-overlayfs cannot mount stage roots here: not root", run.StandardError, StringComparison.Ordinal);
    }

    // The processes whose command line or mounts name path (the programs of a build whose work folders are there).
    private static List<(string Pid, string Command)> ProcessesNaming(string path) =>
        [.. Directory.EnumerateDirectories("/proc").Where(IsProcess)
            .Select(p => (Pid: Path.GetFileName(p), Command: ReadOrEmpty(Path.Combine(p, "cmdline")).Replace('\0', ' ')))
            .Where(p => p.Command.Contains(path, StringComparison.Ordinal))];

    private static bool IsProcess(string procEntry) => Path.GetFileName(procEntry).All(char.IsAsciiDigit);

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void RequireFuseOverlayfs()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("the fuse-overlayfs builds are started by root (a throwaway user, a /dev/fuse bound over)");
        }

        TestRequirements.Executable("fuse-overlayfs");
        TestRequirements.Executable("setpriv");
    }

    [GeneratedRegex(@"snapshot \(FuseOverlayfs\): (\d+) path\(s\) of the upper folder read, (\d+) change\(s\)")]
    private static partial Regex SnapshotPattern();
}
