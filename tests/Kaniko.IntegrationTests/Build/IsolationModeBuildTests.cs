using System.Runtime.Versioning;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// The isolation modes where the build runs somewhere a developer machine is not: chroot mode inside a mount
/// namespace whose root lacks the capability to mount (an unprivileged container), and kaniko's own mode inside a
/// throwaway chroot the test makes (never the machine's own <c>/</c>). <c>dotnet kaniko build</c> runs there; the
/// image is read back from the registry. Bubblewrap as root is in <see cref="RunBuildTests"/>, rootless in
/// <see cref="RootlessRunBuildTests"/>.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class IsolationModeBuildTests(RegistryFixture registry) : IDisposable
{
    private const string SystemPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Chroot_mode_runs_steps_in_a_mount_namespace_without_the_capability_to_mount()
    {
        RequireRoot();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN (ls /proc/self > /dev/null 2>&1 && echo proc > /seen || echo no-proc > /seen) && rm /etc/group
            """);
        var reference = _build.NewReference("isolation-chroot-nocap");

        // setpriv drops CAP_SYS_ADMIN from the bounding and inheritable sets, so the program it starts has it in no set.
        var run = await ExternalTools.RunAsync(
            TestRequirements.Executable("unshare"),
            ["--mount", "--propagation", "private", "--", TestRequirements.Executable("setpriv"), "--bounding-set=-sys_admin", "--inh-caps=-sys_admin", "--",
             "/usr/bin/env", "-i", SystemPath, "HOME=" + _build.Path(), "NO_COLOR=1", "DOTNET_NOLOGO=1", Dotnet, CliAssembly,
             .. BuildArguments(reference, "chroot", verbosity: "debug")],
            TimeSpan.FromMinutes(5),
            BuildHarness.Cancellation);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("RUN isolation: chroot", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("chroot mode: /proc cannot be mounted here", run.StandardError, StringComparison.Ordinal);
        // Without CAP_SYS_ADMIN no namespace can be made for the step either: said at debug level, and the step runs.
        Assert.Contains("chroot mode: no private mount and PID namespaces here", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["etc/.wh.group", "seen"], layers[1].Select(e => e.Name).Where(n => n != "etc/").Order(StringComparer.Ordinal));
        var rootfs = await _build.UnpackAsync(reference);
        Assert.Equal("no-proc\n", await File.ReadAllTextAsync(Path.Combine(rootfs, "seen"), BuildHarness.Cancellation));
    }

    [Fact]
    public async Task None_mode_runs_steps_in_the_root_of_a_throwaway_chroot()
    {
        RequireRoot();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo none > /mode && rm /etc/group
            """);
        var reference = _build.NewReference("isolation-none-chroot");
        var root = _build.Path("chroot");
        var binaries = AppContext.BaseDirectory.TrimEnd('/');

        // A chroot with the machine's /usr (read-only, for the runtime and the helper programs) and empty /bin and
        // /etc the base image fills; the test's folder and the tool's are bound at their own paths.
        var script = string.Join('\n',
            "set -e",
            $"R='{root}'",
            "mkdir -p \"$R/bin\" \"$R/etc\" \"$R/usr\" \"$R/proc\" \"$R/dev\" \"$R/tmp\"",
            "for link in lib lib64 sbin; do [ -e \"/usr/$link\" ] && ln -s \"usr/$link\" \"$R/$link\"; done",
            "mount --bind -o ro /usr \"$R/usr\"",
            "mount -t proc proc \"$R/proc\"",
            "mount --rbind /dev \"$R/dev\"",
            "mount -t tmpfs tmpfs \"$R/tmp\"",
            $"mkdir -p \"$R{_build.Path()}\" \"$R{binaries}\"",
            $"mount --bind '{_build.Path()}' \"$R{_build.Path()}\"",
            $"mount --bind -o ro '{binaries}' \"$R{binaries}\"",
            "exec chroot \"$R\" \"$@\"");
        var run = await ExternalTools.RunAsync(
            TestRequirements.Executable("unshare"),
            ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh",
             "/usr/bin/env", "-i", SystemPath, "HOME=/root", "NO_COLOR=1", "DOTNET_NOLOGO=1", Dotnet, CliAssembly,
             .. BuildArguments(reference, "none")],
            TimeSpan.FromMinutes(5),
            BuildHarness.Cancellation);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains("RUN isolation: none", run.StandardOutput, StringComparison.Ordinal);
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["etc/.wh.group", "mode"], layers[1].Select(e => e.Name).Where(n => n != "etc/").Order(StringComparer.Ordinal));
        // The steps changed the chroot, which the test made; the machine's / has no such file.
        Assert.Equal("none\n", await File.ReadAllTextAsync(Path.Combine(root, "mode"), BuildHarness.Cancellation));
        Assert.False(File.Exists("/mode"));
    }

    private static string Dotnet => "/usr/share/dotnet/dotnet" is var shared && File.Exists(shared) ? shared : TestRequirements.Executable("dotnet");

    private static string CliAssembly => Path.Combine(AppContext.BaseDirectory, "dotnet-kaniko.dll");

    private static void RequireRoot()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("making mount namespaces and chroots needs root");
        }
    }

    private string[] BuildArguments(string reference, string isolation, string verbosity = "info") =>
        ["build", "--context", _build.ContextDirectory, "--destination", reference, "--insecure-registry", registry.Host,
         "--cache-dir", _build.CacheDirectory, "--isolation", isolation, "--verbosity", verbosity];
}
