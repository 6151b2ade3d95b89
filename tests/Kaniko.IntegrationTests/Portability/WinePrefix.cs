using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Portability;

/// <summary>
/// A private Wine prefix (the C: drive and registry of one pretend Windows machine) in a temporary folder, made with
/// <c>wineboot --init</c>, to run 64-bit Windows console programs headless. Wine maps drive <c>Z:</c> to <c>/</c>, so
/// a Windows program reaches any file of this machine as <see cref="WindowsPath"/> spells it, and 127.0.0.1 is this
/// machine's loopback. Disposing stops the prefix's wineserver (and with it any program still running in the prefix)
/// and deletes the folder.
/// </summary>
internal sealed class WinePrefix : IAsyncDisposable
{
    /// <summary>Debian's wine64 package installs its loaders here, outside PATH (the <c>wine</c> package adds the wrappers).</summary>
    private const string DebianLibraryDirectory = "/usr/lib/wine";

    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _directory;
    private readonly string _wine;
    private readonly string _wineServer;

    private WinePrefix(TempDirectory directory, string wine, string wineServer, string version)
    {
        _directory = directory;
        _wine = wine;
        _wineServer = wineServer;
        Version = version;
    }

    /// <summary>What <c>wine --version</c> printed, e.g. <c>wine-8.0 (Debian 8.0~repack-4)</c>.</summary>
    public string Version { get; }

    /// <summary>The prefix folder (<c>WINEPREFIX</c>).</summary>
    public string Directory => _directory.Path;

    /// <summary>
    /// The Unix folder of the Windows user's profile, <c>%USERPROFILE%</c> (<c>C:\users\NAME</c>, NAME being the Unix
    /// user's name).
    /// </summary>
    public string UserProfileDirectory => Path.Combine(Directory, "drive_c", "users", Environment.UserName);

    /// <summary>Makes a prefix; skips the test (fails it in CI) when the wine64 package is missing.</summary>
    public static async Task<WinePrefix> CreateAsync(CancellationToken cancellationToken)
    {
        var wine = FindTool("wine64", "wine64", "wine");
        var wineServer = FindTool("wineserver64", "wineserver", "wineserver");
        var directory = new TempDirectory("kaniko-wine-");
        var prefix = new WinePrefix(directory, wine, wineServer, (await ExternalTools.RunCheckedAsync(wine, ["--version"], cancellationToken: cancellationToken)).StandardOutput.Trim());
        try
        {
            var boot = await prefix.RunAsync("wineboot", ["--init"], BootTimeout, cancellationToken);
            if (boot.ExitCode != 0)
            {
                throw new InvalidOperationException($"wineboot --init exited with {boot.ExitCode}: {boot.StandardError}");
            }

            return prefix;
        }
        catch
        {
            await prefix.DisposeAsync();
            throw;
        }
    }

    /// <summary><paramref name="unixPath"/> (absolute) as a Windows program of this prefix names it: <c>Z:\...</c>.</summary>
    public static string WindowsPath(string unixPath)
    {
        if (!Path.IsPathRooted(unixPath))
        {
            throw new ArgumentException("an absolute path is needed: " + unixPath, nameof(unixPath));
        }

        return "Z:" + unixPath.Replace('/', '\\');
    }

    /// <summary>
    /// Runs <paramref name="program"/> (a Unix path of a Windows executable, or a program of the prefix such as
    /// <c>cmd</c>) with <paramref name="arguments"/>, in <paramref name="workingDirectory"/> when given.
    /// </summary>
    public Task<ToolResult> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["WINEPREFIX"] = Directory,
            // Quiet, headless and without the first-run dialogs: console programs need no display.
            ["WINEDEBUG"] = "-all",
            ["WINEDLLOVERRIDES"] = "mscoree,mshtml=",
            ["DISPLAY"] = null,
        };
        return ExternalTools.RunAsync(_wine, [program, .. arguments], timeout, cancellationToken, workingDirectory, variables);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            // Kills the wineserver of this prefix only (and what runs in it); other prefixes have their own.
            await ExternalTools.RunAsync(
                _wineServer, ["-k"], TimeSpan.FromSeconds(30), CancellationToken.None, environment: new Dictionary<string, string?> { ["WINEPREFIX"] = Directory });
        }
        finally
        {
            _directory.Dispose();
        }
    }

    private static string FindTool(string debianName, string pathName, string alternativeName)
    {
        var debian = Path.Combine(DebianLibraryDirectory, debianName);
        var found = File.Exists(debian) ? debian : ExternalTools.Find(pathName) ?? ExternalTools.Find(alternativeName);
        if (found is null)
        {
            TestRequirements.Unavailable(TestRequirements.NotInstalled("wine64"));
        }

        return found;
    }
}
