using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Portability;

/// <summary>
/// <c>dotnet-kaniko.exe</c> published for win-x64 and a Wine prefix to run it in, made once for the tests of a class
/// on first use (so a missing wine64 skips or fails the tests, not the fixture), and removed after them.
/// </summary>
public sealed class WindowsCliFixture : IAsyncDisposable
{
    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _scratch = new("kaniko-win-publish-");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WinePrefix? _prefix;
    private string? _executable;

    /// <summary>The Wine prefix the tool runs in (after <see cref="StartAsync"/>).</summary>
    internal WinePrefix Prefix => _prefix ?? throw new InvalidOperationException("not started");

    /// <summary>Publishes the tool (or takes it from the test cache) and makes the prefix, once.</summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_prefix is not null)
            {
                return;
            }

            var published = await CliPublish.GetAsync("win-x64", _scratch.Path, cancellationToken);
            _executable = Path.Combine(published, "dotnet-kaniko.exe");
            Assert.True(File.Exists(_executable), "the publish has no dotnet-kaniko.exe: " + string.Join(", ", Directory.GetFiles(published)));
            _prefix = await WinePrefix.CreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <c>dotnet-kaniko.exe ARGUMENTS</c> under Wine in <paramref name="workingDirectory"/>.</summary>
    internal Task<ToolResult> RunAsync(IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellationToken) =>
        Prefix.RunAsync(
            _executable!, arguments, ProgramTimeout, cancellationToken, workingDirectory,
            // The Windows program must find its credentials where docker on Windows does, not through these.
            new Dictionary<string, string?> { ["DOCKER_CONFIG"] = null, ["KANIKO_CACHE_DIR"] = null });

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_prefix is not null)
        {
            await _prefix.DisposeAsync();
        }

        _scratch.Dispose();
        _gate.Dispose();
    }
}
