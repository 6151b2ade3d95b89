using System.Runtime.Versioning;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Build;

/// <summary>
/// <c>--isolation none</c> (kaniko's own mode) unpacks the stage into <c>/</c> and runs the steps there, so it is
/// tested only inside a throw-away mount namespace whose <c>/</c> is a temporary folder: bwrap binds the folder as
/// <c>/</c>, the machine's <c>/usr</c> read-only (the .NET runtime, setpriv), and runs the command-line tool in it.
/// The machine's own <c>/</c> is never touched.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RunIsolationNoneTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task Isolation_none_builds_in_the_root_of_a_throwaway_namespace()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            TestRequirements.Unavailable("the throw-away root of this test is made with bwrap as root");
        }

        var bwrap = TestRequirements.Executable("bwrap");
        var dotnet = TestRequirements.Executable("dotnet");
        var cli = CommandLineTool();
        var busybox = await BaseImages.PushBusyboxAsync(registry, BuildHarness.Cancellation);
        _build.Write("Dockerfile", $"""
            FROM {busybox.Reference}
            RUN echo "none $HOME" > /made-by-run && rm /etc/group
            """);
        var reference = _build.NewReference("run-none");
        var root = _build.Path("throwaway-root");
        Directory.CreateDirectory(root);
        var cliDirectory = Path.GetDirectoryName(cli)!;
        var dotnetRoot = Path.GetDirectoryName(Path.GetFullPath(new FileInfo(dotnet).ResolveLinkTarget(true)?.FullName ?? dotnet))!;
        List<string> args =
        [
            "--unshare-pid", "--die-with-parent", "--bind", root, "/", "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", _build.ContextDirectory, "/context",
            "--ro-bind", cliDirectory, cliDirectory, "--ro-bind", dotnetRoot, dotnetRoot,
            "--setenv", "HOME", "/tmp", "--setenv", "DOTNET_CLI_HOME", "/tmp", "--setenv", "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1",
            "--", Path.Combine(dotnetRoot, "dotnet"), cli, "build", "--isolation", "none", "--context", "/context",
            "--insecure-registry", registry.Host, "--cache-dir", "/tmp/cache", "--destination", reference,
        ];

        var result = await ExternalTools.RunAsync(bwrap, args, cancellationToken: BuildHarness.Cancellation);

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        Assert.Contains("RUN isolation: none", result.StandardOutput, StringComparison.Ordinal);
        var layers = await _build.LayerEntriesAsync(reference);
        Assert.Equal(["etc/.wh.group", "made-by-run"], layers[^1].Select(e => e.Name).Where(n => n != "etc/").Order(StringComparer.Ordinal));
        // The stage was unpacked into the namespace's / and the step ran there, with root's HOME from the stage's
        // passwd file, not the HOME of the builder's own environment.
        Assert.Equal("none /root\n", await File.ReadAllTextAsync(Path.Combine(root, "made-by-run"), BuildHarness.Cancellation));
        Assert.True(File.Exists(Path.Combine(root, "bin", "busybox")));
    }

    // The tool of the same configuration as this test assembly (scripts/test.sh builds the whole solution first).
    private static string CommandLineTool()
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(TestPaths.RepositoryRoot, "src", "dotnet-kaniko", "bin", configuration, "net10.0", "dotnet-kaniko.dll");
        if (!File.Exists(path))
        {
            TestRequirements.Unavailable($"{path} is not built (dotnet build src/dotnet-kaniko -c {configuration})");
        }

        return path;
    }
}
