using System.Diagnostics;
using Kaniko.Cli;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli.Tests.Reliability;

/// <summary>
/// Faults of the machine and the context, each through the real CLI process: a full work-folder disk, a context file
/// the user may not read, a FIFO in the context. Each ends with its KANIKO code, the path and exit 1, never a hang or
/// exit 70.
/// </summary>
[Trait("Category", "Integration")]
public sealed class LocalFaultTests : IDisposable
{
    private readonly ReliabilityScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_full_work_folder_disk_fails_with_its_code_and_path()
    {
        _scratch.WriteRandomFile("big", 4 << 20);
        _scratch.WriteDockerfile("FROM scratch\nCOPY big /big\n");

        var (exitCode, output, error) = await CliChild.RunAsync(_scratch.TarballBuild(), _scratch.Environment, SmallDisk.Wrapper(_scratch.Tmp, "1m"));

        Assert.True(exitCode == 1, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains("[KANIKO0003]", output + error, StringComparison.Ordinal);
        Assert.Contains(_scratch.Tmp, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_context_file_the_user_cannot_read_fails_naming_it()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Skip("running the build as another user needs root and setpriv (util-linux)");
        }

        _scratch.WriteDockerfile("FROM scratch\nCOPY secret.txt /\n");
        var secret = Path.Combine(_scratch.Context, "secret.txt");
        await File.WriteAllTextAsync(secret, "root only\n", TestContext.Current.CancellationToken);
        File.SetUnixFileMode(secret, UnixFileMode.None);
        // The build runs as nobody: every folder it reads or writes is opened to it, the one file is not.
        foreach (var folder in new[] { _scratch.Root, _scratch.Context })
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0x1ED);
        }

        foreach (var folder in new[] { _scratch.Tmp, _scratch.Cache, _scratch.Outputs })
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0x3FF);
        }

        var environment = new Dictionary<string, string>(_scratch.Environment) { ["HOME"] = _scratch.Tmp, ["DOTNET_CLI_HOME"] = _scratch.Tmp };
        var (exitCode, output, error) = await CliChild.RunAsync(
            _scratch.TarballBuild(), environment, ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);

        Assert.True(exitCode == 1, $"exit {exitCode}:\n{output}\n{error}");
        Assert.Contains("secret.txt", output + error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO2024]", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_FIFO_in_the_context_is_refused_by_name_instead_of_hanging()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("FIFOs are made with mkfifo");
        }

        _scratch.WriteDockerfile("FROM scratch\nCOPY . /\n");
        using (var mkfifo = Process.Start("mkfifo", [Path.Combine(_scratch.Context, "pipe")])!)
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var (exitCode, output, error) = await CliChild.RunAsync(_scratch.TarballBuild(), _scratch.Environment);

        Assert.True(exitCode == 1, $"exit {exitCode} (null: it hung):\n{output}\n{error}");
        Assert.Contains("'pipe'", output + error, StringComparison.Ordinal);
        Assert.Contains("[KANIKO2060]", output + error, StringComparison.Ordinal);
    }
}

/// <summary>
/// The rule behind exit 70: the CLI's catch-all is reached only by bugs. Every failure of the environment the engine
/// knows of becomes a KANIKO error with its own code and a documented exit code other than 70.
/// </summary>
public sealed class CatchAllIsForBugsTests
{
    public static TheoryData<Exception> EnvironmentFailures => new()
    {
        new IOException("No space left on device : '/x/file'", 28),
        new IOException("Disk quota exceeded : '/x/file'", 122),
        new UnauthorizedAccessException("Access to the path '/x/file' is denied."),
        new AggregateException(new IOException("No space left on device : '/x/file'", 28)),
        new InvalidOperationException("wrapped", new UnauthorizedAccessException("Access to the path '/x/file' is denied.")),
    };

    [Theory]
    [MemberData(nameof(EnvironmentFailures))]
    public void Environment_failures_become_KANIKO_errors_with_their_exit_code(Exception failure)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the errno values are Linux's");
        }

        var translated = EnvironmentFaults.Translate(failure);

        Assert.NotNull(translated);
        Assert.NotEqual(DiagnosticCodes.InternalError, translated.Code);
        Assert.NotEqual(ExitCodes.InternalError, ExitCodes.For(translated.Code));
        Assert.Contains("/x/file", translated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bug_is_not_dressed_as_an_environment_failure() =>
        Assert.Null(EnvironmentFaults.Translate(new NullReferenceException()));
}
