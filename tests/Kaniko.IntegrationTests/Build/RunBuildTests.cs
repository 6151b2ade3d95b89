using System.Formats.Tar;
using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary><c>RUN</c> steps on the busybox base: built, pushed to the registry and read back.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RunBuildTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Shell_form_run_writes_its_changes_as_a_layer()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo hello > /greeting.txt && echo "said hello"
            """);
        var reference = _build.NewReference("run");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        var entry = Assert.Single(layers[1]);
        Assert.Equal(("greeting.txt", TarEntryType.RegularFile), (entry.Name, entry.Type));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "greeting.txt"), BuildHarness.Cancellation));
        var config = await BuildHarness.ConfigAsync(reference);
        var history = config.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("RUN /bin/sh -c echo hello > /greeting.txt && echo \"said hello\" # buildkit", history.GetProperty("created_by").GetString());
        Assert.False(history.TryGetProperty("empty_layer", out _));
        Assert.Contains(_build.Events, e => e is RunOutputEvent { Text: "said hello", Stream: SandboxOutputStream.StandardOutput });
        Assert.Single(_build.Events, e => e is MessageEvent m && m.Text.StartsWith("RUN isolation: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleting_recreating_and_linking_give_whiteouts_opaque_directories_and_hard_links()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN rm /etc/group
            RUN rm -rf /home && mkdir /home && echo x > /home/x
            RUN echo a > /a && ln /a /b
            """);
        var reference = _build.NewReference("run-changes");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(4, layers.Count);
        // The directory's own entry depends on whether the sandbox made (and removed) stubs in /etc, which restores its time.
        Assert.Equal(["etc/.wh.group"], layers[1].Select(e => e.Name).Where(n => n != "etc/"));
        Assert.Contains(layers[2], e => e.Name == "home/.wh..wh..opq");
        Assert.Contains(layers[2], e => e.Name == "home/x" && e.Type == TarEntryType.RegularFile);
        var links = layers[3].ToDictionary(e => e.Name);
        Assert.Equal(TarEntryType.RegularFile, links["a"].Type);
        Assert.Equal(TarEntryType.HardLink, links["b"].Type);
        var rootfs = await _build.UnpackAsync(reference);
        Assert.False(File.Exists(Path.Combine(rootfs, "etc/group")));
        Assert.Equal("a\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "b"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Users_added_by_a_run_own_the_files_of_later_steps()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo "app:x:1000:1000::/home/app:/bin/sh" >> /etc/passwd && echo "app:x:1000:" >> /etc/group && mkdir -p /home/app && chown app:app /home/app
            COPY --chown=app file.txt /home/app/file.txt
            USER app
            RUN id -u > /home/app/uid && touch /home/app/mine
            """);
        _build.Write("file.txt", "f\n");
        var reference = _build.NewReference("run-users");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal((1000, 1000), (layers[2].Single(e => e.Name == "home/app/file.txt").Uid, layers[2].Single(e => e.Name == "home/app/file.txt").Gid));
        var mine = layers[3].Single(e => e.Name == "home/app/mine");
        Assert.Equal((1000, 1000), (mine.Uid, mine.Gid));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("1000\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "home/app/uid"), BuildHarness.Cancellation));
    }

    [Theory]
    [InlineData(IsolationKind.Bubblewrap)]
    [InlineData(IsolationKind.Chroot)]
    public async Task Run_gets_the_home_of_its_user_from_passwd_unless_the_step_sets_one(IsolationKind isolation)
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo "$HOME" > /home-root
            RUN echo "x:x:1500:1500::/home/x:/bin/sh" >> /etc/passwd
            USER x
            RUN echo "$HOME" > /tmp/home-x
            USER 1500:1500
            RUN echo "$HOME" > /tmp/home-x-ids
            USER 4242
            RUN echo "$HOME" > /tmp/home-4242
            ENV HOME=/custom
            RUN echo "$HOME" > /tmp/home-env
            """);
        var reference = _build.NewReference("run-home");

        await _build.BuildAsync(_build.Request(reference) with { Isolation = isolation });

        var rootfs = await _build.UnpackAsync(reference);
        string Read(string path) => File.ReadAllText(Path.Combine(rootfs, path));
        Assert.Equal(
            ["/root\n", "/home/x\n", "/home/x\n", "/\n", "/custom\n"],
            [Read("home-root"), Read("tmp/home-x"), Read("tmp/home-x-ids"), Read("tmp/home-4242"), Read("tmp/home-env")]);
        var config = await BuildHarness.ConfigAsync(reference);
        // The HOME a step is given stays in that step: only the ENV reaches the image.
        Assert.Equal(["HOME=/custom"], config.GetProperty("config").GetProperty("Env").EnumerateArray()
            .Select(e => e.GetString()!).Where(e => e.StartsWith("HOME=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Workdir_env_and_build_args_are_seen_by_run_and_args_are_not_kept()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            ARG GREETING=hi
            ENV TARGET=world
            WORKDIR /work/dir
            RUN echo "$GREETING $TARGET" > said && pwd > where
            COPY late.txt .
            RUN cat late.txt >> said
            """);
        _build.Write("late.txt", "late\n");
        var reference = _build.NewReference("run-vars");

        await _build.BuildAsync(_build.Request(reference) with { BuildArgs = [new("GREETING", "hello")] });

        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("hello world\nlate\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "work/dir/said"), BuildHarness.Cancellation));
        Assert.Equal("/work/dir\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "work/dir/where"), BuildHarness.Cancellation));
        var env = (await BuildHarness.ConfigAsync(reference)).GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("TARGET=world", env);
        Assert.DoesNotContain(env, e => e!.StartsWith("GREETING=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Heredocs_run_through_the_shell_or_as_a_script_with_their_interpreter()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN <<EOF
            echo one > /one
            echo two >> /one
            EOF
            RUN <<EOF
            #!/bin/sh
            echo "script $0" > /two
            EOF
            """);
        var reference = _build.NewReference("run-heredoc");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["one"], layers[1].Select(e => e.Name));
        Assert.Equal(["two"], layers[2].Select(e => e.Name));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("one\ntwo\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "one"), BuildHarness.Cancellation));
        Assert.Equal("script /dev/pipes/EOF\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "two"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Network_none_leaves_only_the_loopback_interface()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN --network=none tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > /interfaces
            RUN --network=host --security=sandbox echo shared > /shared
            """);
        var reference = _build.NewReference("run-network");

        await _build.BuildAsync(_build.Request(reference));

        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("lo\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "interfaces"), BuildHarness.Cancellation));
        Assert.True(File.Exists(Path.Combine(rootfs, "shared")));
    }

    [Fact]
    public async Task The_hosts_and_resolver_files_are_read_only_and_sandbox_stubs_never_reach_a_layer()
    {
        // BuildKit binds both files read-only (executor/oci withROBind): a write fails and nothing reaches the layer.
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN (echo "10.1.2.3 extra" >> /etc/hosts 2>/dev/null || echo hosts-refused) && (echo "nameserver 10.9.9.9" > /etc/resolv.conf 2>/dev/null || echo resolv-refused) && ls /proc /dev > /dev/null && touch /marker
            """);
        var reference = _build.NewReference("run-stubs");

        await _build.BuildAsync(_build.Request(reference));

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["marker"], layers[1].Select(e => e.Name));
        Assert.Contains(_build.Events, e => e is RunOutputEvent { Text: "hosts-refused" });
        Assert.Contains(_build.Events, e => e is RunOutputEvent { Text: "resolv-refused" });
    }

    [Fact]
    public async Task A_run_that_changes_nothing_adds_no_layer_and_an_empty_layer_history_entry()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nRUN true\n");
        var reference = _build.NewReference("run-empty");

        await _build.BuildAsync(_build.Request(reference));

        var manifest = await BuildHarness.ManifestAsync(reference);
        Assert.Single(manifest.GetProperty("layers").EnumerateArray());
        var history = (await BuildHarness.ConfigAsync(reference)).GetProperty("history").EnumerateArray().Last();
        Assert.Equal("RUN /bin/sh -c true # buildkit", history.GetProperty("created_by").GetString());
        Assert.True(history.GetProperty("empty_layer").GetBoolean());
    }

    [Fact]
    public async Task A_failing_command_names_its_step_and_line_pushes_nothing_and_leaves_nothing_behind()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo before > /before
            RUN echo failing >&2 && exit 3
            """);
        var reference = _build.NewReference("run-fails");
        var work = _build.Path("work");
        Directory.CreateDirectory(work);

        var error = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request(reference) with { WorkDirectoryRoot = work }));

        Assert.Equal(DiagnosticCodes.RunStepFailed, error.Code);
        Assert.Equal(
            "Dockerfile:3: RUN echo failing >&2 && exit 3: process \"/bin/sh -c echo failing >&2 && exit 3\" did not complete successfully: exit code: 3",
            error.Message);
        Assert.Contains(_build.Events, e => e is RunOutputEvent { Text: "failing", Stream: SandboxOutputStream.StandardError });
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        var inspect = await Skopeo.RunAsync(["inspect", "--tls-verify=false", "--raw", "docker://" + reference], BuildHarness.Cancellation);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task A_cancelled_run_is_killed_and_leaves_nothing_behind()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo started && sleep 300
            """);
        var work = _build.Path("work");
        Directory.CreateDirectory(work);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(BuildHarness.Cancellation);
        var sink = new CallbackSink(e =>
        {
            if (e is RunOutputEvent { Text: "started" })
            {
                cancellation.Cancel();
            }
        });
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Kaniko.Engine.KanikoBuilder.BuildAsync(
            _build.Request() with { NoPush = true, WorkDirectoryRoot = work }, sink, cancellation.Token));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(120), "the step was not killed");
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        Assert.DoesNotContain(File.ReadLines("/proc/self/mountinfo"), line => line.Contains(work, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Independent_stages_run_at_the_same_time_and_give_the_same_image_every_time()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference} AS left
            RUN echo left-start && sleep 2 && echo left > /left && echo left-end

            FROM {busybox.Reference} AS right
            RUN echo right-start && sleep 2 && echo right > /right && echo right-end

            FROM {busybox.Reference}
            COPY --from=left /left /
            COPY --from=right /right /
            RUN cat /left /right > /both
            """);
        var first = _build.NewReference("run-parallel");
        var second = _build.NewReference("run-parallel");

        var one = await _build.BuildAsync(_build.Request(first) with { Reproducible = true });
        var lines = _build.Events.OfType<RunOutputEvent>().Select(e => e.Text).ToList();
        var two = await _build.BuildAsync(_build.Request(second) with { Reproducible = true });

        Assert.Equal(one.Digest, two.Digest);
        Assert.True(lines.IndexOf("left-start") < lines.IndexOf("right-end") && lines.IndexOf("right-start") < lines.IndexOf("left-end"),
            "the stages ran one after the other: " + string.Join(", ", lines));
        var rootfs = await _build.UnpackAsync(first);
        Assert.Equal("left\nright\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "both"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task A_stage_from_a_stage_that_ran_steps_takes_over_its_root_filesystem()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference} AS base
            RUN echo base > /base.txt
            COPY f.txt /f.txt

            FROM base
            RUN cat /base.txt /f.txt > /both.txt && rm /base.txt
            """);
        _build.Write("f.txt", "f\n");
        var reference = _build.NewReference("run-handover");

        await _build.BuildAsync(_build.Request(reference));

        // Made once, in the first stage's folder, on either rung: unpacked there, or an overlay of the layer store mounted there.
        var unpacked = _build.Events.OfType<MessageEvent>().Select(m => m.Text)
            .Where(t => t.StartsWith("root filesystem ", StringComparison.Ordinal) && (t.Contains(": unpacked ", StringComparison.Ordinal) || t.Contains(": overlay of ", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(unpacked);
        Assert.All(unpacked, text => Assert.Contains("/rootfs-0: ", text, StringComparison.Ordinal));
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["base.txt"], layers[1].Select(e => e.Name));
        Assert.Equal([".wh.base.txt", "both.txt"], layers[^1].Select(e => e.Name).Order(StringComparer.Ordinal));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("base\nf\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "both.txt"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Single_snapshot_writes_one_layer_for_the_whole_stage()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo a > /a
            COPY f.txt /f.txt
            RUN rm /etc/group && cat /f.txt >> /a
            ENV DONE=1
            """);
        _build.Write("f.txt", "f\n");
        var reference = _build.NewReference("run-single");

        await _build.BuildAsync(_build.Request(reference) with { SingleSnapshot = true });

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        Assert.Equal(["a", "etc/.wh.group", "f.txt"], layers[1].Select(e => e.Name).Where(n => n != "etc/").Order(StringComparer.Ordinal));
        var history = (await BuildHarness.ConfigAsync(reference)).GetProperty("history").EnumerateArray().TakeLast(4).ToList();
        Assert.Equal([true, true, false, true], history.Select(h => h.TryGetProperty("empty_layer", out var empty) && empty.GetBoolean()));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("a\nf\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "a"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task Single_snapshot_of_a_copy_only_stage_is_one_layer()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            COPY one.txt /one.txt
            COPY two.txt /data/two.txt
            """);
        _build.Write("one.txt", "1\n");
        _build.Write("two.txt", "2\n");
        var reference = _build.NewReference("copy-single");

        await _build.BuildAsync(_build.Request(reference) with { SingleSnapshot = true });

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(2, layers.Count);
        Assert.Equal(["data/", "data/two.txt", "one.txt"], layers[1].Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(IsolationKind.Bubblewrap)]
    [InlineData(IsolationKind.Chroot)]
    public async Task Each_isolation_mode_runs_the_steps(IsolationKind isolation)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("building with --isolation bwrap and chroot as here needs root");
        }

        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nRUN echo {isolation} > /mode && rm /etc/group\n");
        var reference = _build.NewReference("run-isolation");

        await _build.BuildAsync(_build.Request(reference) with { Isolation = isolation });

        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["etc/.wh.group", "mode"], layers[1].Select(e => e.Name).Where(n => n != "etc/").Order(StringComparer.Ordinal));
        Assert.Contains(_build.Events, e => e is MessageEvent m && m.Text.StartsWith("RUN isolation: " + (isolation == IsolationKind.Chroot ? "chroot" : "bubblewrap"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_security_insecure_is_refused_before_anything_runs()
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"FROM {busybox.Reference}\nRUN --security=insecure echo hi\n");

        var insecure = await Assert.ThrowsAsync<KanikoException>(() => _build.BuildAsync(_build.Request() with { NoPush = true }));

        Assert.Equal(DiagnosticCodes.RunSecurityInsecure, insecure.Code);
        Assert.StartsWith("Dockerfile:2: RUN --security=insecure echo hi: --security=insecure is not supported", insecure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_build.Events, e => e is MessageEvent m && m.Text.StartsWith("RUN isolation: ", StringComparison.Ordinal));
    }

    private sealed class CallbackSink(Action<BuildEvent> callback) : IBuildEventSink
    {
        public void Report(BuildEvent buildEvent) => callback(buildEvent);
    }
}
