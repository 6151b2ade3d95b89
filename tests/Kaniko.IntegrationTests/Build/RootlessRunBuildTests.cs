using System.Runtime.Versioning;
using Kaniko.IntegrationTests.Sandbox;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// <c>RUN</c> steps of a build by a user that is not root: the test (root) makes a throwaway user, with or without
/// subordinate id ranges, and runs <c>dotnet kaniko build</c> as that user with <c>setpriv</c>. The image is read
/// back from the registry.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RootlessRunBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task With_subordinate_ids_steps_chown_add_users_and_see_the_real_owners_of_the_base()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY --chown=4321:8765 owned.txt /owned.txt
            COPY --chown=70000:70000 far.txt /far.txt
            RUN stat -c %u:%g /owned.txt > /seen && touch /f && chown 1234:5678 /f && echo more >> /owned.txt && echo more >> /far.txt
            RUN echo "app:x:2000:2000::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:2000:" >> /etc/group && mkdir -p /home/app && chown app:app /home/app
            USER app
            RUN touch /home/app/mine && id > /home/app/id
            """);
        _build.Write("owned.txt", "owned\n");
        _build.Write("far.txt", "far\n");
        var reference = _build.NewReference("rootless-mapped");
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);

        var run = await BuildAsUserAsync(user, reference);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("RUN isolation: bubblewrap (namespaces, as root of a user namespace mapping 65536 ids)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[KANIKO4464]", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("[KANIKO4460]", run.StandardError, StringComparison.Ordinal);
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(6, layers.Count);
        var chowned = layers[3].ToDictionary(e => e.Name);
        Assert.Equal((1234, 5678), (chowned["f"].Uid, chowned["f"].Gid));
        Assert.Equal((4321, 8765), (chowned["owned.txt"].Uid, chowned["owned.txt"].Gid));
        Assert.Equal((70000, 70000), (chowned["far.txt"].Uid, chowned["far.txt"].Gid));
        Assert.Equal((0, 0), (chowned["seen"].Uid, chowned["seen"].Gid));
        var home = layers[4].Single(e => e.Name == "home/app/");
        Assert.Equal((2000, 2000), (home.Uid, home.Gid));
        var mine = layers[5].Single(e => e.Name == "home/app/mine");
        Assert.Equal((2000, 2000), (mine.Uid, mine.Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("4321:8765\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "seen"), BuildHarness.Cancellation));
        Assert.StartsWith("uid=2000(app) gid=2000(app)", await File.ReadAllTextAsync(Path.Combine(rootfs, "home/app/id"), BuildHarness.Cancellation), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_subordinate_ids_useradd_of_a_debian_base_works_and_base_groups_are_real_during_steps()
    {
        var debian = await BaseImages.PushDebianAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {debian.Reference}
            RUN useradd --create-home --uid 1500 --user-group builder && install -d -o builder -g builder /srv/data
            USER builder
            RUN touch /srv/data/mine && id -un > /srv/data/who
            USER root
            RUN stat -c %U:%G /etc/shadow /var/mail > /owners
            """);
        var reference = _build.NewReference("rootless-debian");
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);

        var run = await BuildAsUserAsync(user, reference);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        var layers = await _build.LayerEntriesAsync(reference);
        var added = layers[^3].ToDictionary(e => e.Name);
        Assert.Equal((1500, 1500), (added["home/builder/"].Uid, added["home/builder/"].Gid));
        Assert.Equal((1500, 1500), (added["srv/data/"].Uid, added["srv/data/"].Gid));
        // useradd rewrote /etc/shadow; it keeps the base's group shadow (42), which the step saw on disk.
        Assert.Equal((0, 42), (added["etc/shadow"].Uid, added["etc/shadow"].Gid));
        var mine = layers[^2].Single(e => e.Name == "srv/data/mine");
        Assert.Equal((1500, 1500), (mine.Uid, mine.Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("builder\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "srv/data/who"), BuildHarness.Cancellation));
        Assert.Equal("root:shadow\nroot:mail\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "owners"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task With_subordinate_ids_stage_roots_are_userxattr_overlays_and_a_step_is_read_from_the_upper_folder_only()
    {
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);
        var debian = await BaseImages.PushDebianAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {debian.Reference}
            RUN echo one > /one
            RUN rm -r /etc/apt && mkdir /etc/apt && echo x > /etc/apt/only && rm /etc/debian_version
            RUN ls -A /etc/apt > /apt-list && (test -e /etc/debian_version && echo present || echo gone) > /version
            """);
        var reference = _build.NewReference("rootless-overlay");

        var run = await RootlessCli.BuildAsync(_build, registry, user, reference, "--verbosity", "debug");

        var log = run.StandardOutput + run.StandardError;
        Assert.True(run.ExitCode == 0, log);
        Assert.Contains("RUN stage roots: overlay of the layer store (kernel overlay in a user namespace: userxattr;", log, StringComparison.Ordinal);
        Assert.DoesNotContain(": no overlay (", log, StringComparison.Ordinal);
        // The first step wrote one file: its snapshot read that path of the upper folder (and at most one more, an
        // ignored mount point the sandbox's mounts copied up, not descended), not the base's thousands.
        var snapshots = System.Text.RegularExpressions.Regex.Matches(log, @"snapshot \(KernelOverlayInUserNamespace\): (\d+) path\(s\) of the upper folder read, (\d+) change\(s\)");
        Assert.Equal(3, snapshots.Count);
        Assert.True(int.Parse(snapshots[0].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= 2 && snapshots[0].Groups[2].Value == "1", log);
        // The store kept the layers in the user namespace's form, apart from root's.
        var store = Path.Combine(_build.Path("home-" + user.Name), "cache", "layer-store");
        Assert.Equal(["v1-userxattr"], Directory.GetDirectories(store).Select(Path.GetFileName));
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["one"], layers[^3].Select(e => e.Name));
        var replaced = layers[^2].Select(e => e.Name).ToList();
        Assert.Contains("etc/apt/.wh..wh..opq", replaced);
        Assert.Contains("etc/.wh.debian_version", replaced);
        var rootfs = await _build.UnpackAsync(reference);
        // The later step saw the replaced directory and the deletion through the store's userxattr form of that layer.
        Assert.Equal("only\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "apt-list"), BuildHarness.Cancellation));
        Assert.Equal("gone\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "version"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Without_subordinate_ids_steps_map_one_id_and_a_warning_says_owners_are_flattened()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY --chown=4321:8765 owned.txt /owned.txt
            RUN stat -c %u:%g /owned.txt > /seen && touch /made && (chown 1234 /made 2>/dev/null || echo chown-refused) && echo more >> /owned.txt
            """);
        _build.Write("owned.txt", "owned\n");
        var reference = _build.NewReference("rootless-one-id");
        await using var user = await ThrowawayUser.CreateAsync(withRanges: false, BuildHarness.Cancellation);

        var run = await BuildAsUserAsync(user, reference);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("RUN isolation: bubblewrap (namespaces, rootless: one uid mapped)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"user {user.Name} has no ranges in /etc/subuid and /etc/subgid", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("[KANIKO4460]", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("chown-refused", run.StandardOutput, StringComparison.Ordinal);
        var layers = await _build.LayerEntriesAsync(reference);
        var changed = layers[2].ToDictionary(e => e.Name);
        Assert.Equal((0, 0), (changed["made"].Uid, changed["made"].Gid));
        Assert.Equal((0, 0), (changed["seen"].Uid, changed["seen"].Gid));
        // The base file keeps the owner its layer gave it, although the step saw the building user (root inside).
        Assert.Equal((4321, 8765), (changed["owned.txt"].Uid, changed["owned.txt"].Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("0:0\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "seen"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Ranges_only_in_subuid_are_a_clear_error_before_anything_runs()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nRUN true\n");
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);
        await File.WriteAllTextAsync("/etc/subgid", string.Concat(File.ReadAllLines("/etc/subgid").Where(l => !l.StartsWith(user.Name + ":", StringComparison.Ordinal)).Select(l => l + "\n")), BuildHarness.Cancellation);

        var run = await BuildAsUserAsync(user, _build.NewReference("rootless-one-sided"));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"user {user.Name} has a range in /etc/subuid but none in /etc/subgid", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("[KANIKO4462]", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("RUN isolation", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminated_rootless_build_stops_its_step_and_removes_the_root_filesystem_it_made_in_the_namespace()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY --chown=4321:8765 owned.txt /owned.txt
            RUN echo started && sleep 300
            """);
        _build.Write("owned.txt", "owned\n");
        var reference = _build.NewReference("rootless-terminated");
        await using var user = await ThrowawayUser.CreateAsync(withRanges: true, BuildHarness.Cancellation);
        var (program, arguments, environment) = await CommandAsync(user, reference);
        var temp = Path.Combine(environment.Single(e => e.StartsWith("TMPDIR=", StringComparison.Ordinal))["TMPDIR=".Length..]);
        var started = new TaskCompletionSource();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var start = new System.Diagnostics.ProcessStartInfo(TestRequirements.Executable("setpriv"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in user.CommandLine(program, arguments, environment))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            log.Enqueue("O " + line.Data);
            if (line.Data == "started")
            {
                started.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, line) => log.Enqueue("E " + line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromMinutes(3), BuildHarness.Cancellation);
            // setpriv and env replace themselves: the process started is the CLI outside the namespace.
            await ExternalTools.RunCheckedAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken: BuildHarness.Cancellation);
            await process.WaitForExitAsync(BuildHarness.Cancellation).WaitAsync(TimeSpan.FromMinutes(1), BuildHarness.Cancellation);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode != 0, string.Join("\n", log));
        // The root filesystem held files of subordinate ids: removed from inside the namespace, with the build's temporary folder.
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp));
        var inspect = await Skopeo.RunAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + reference], BuildHarness.Cancellation);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    private Task<ToolResult> BuildAsUserAsync(ThrowawayUser user, string reference) =>
        RootlessCli.BuildAsync(_build, registry, user, reference);

    private Task<(string Program, string[] Arguments, string[] Environment)> CommandAsync(ThrowawayUser user, string reference) =>
        RootlessCli.CommandAsync(_build, registry, user, reference);
}
