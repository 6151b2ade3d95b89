using System.Globalization;
using Kaniko.Testing;

namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// Kaniko.Sdk packed once per test run into a temporary feed, under a version of its own
/// (<c>0.0.1-e2e.TIMESTAMP</c>) so the machine's NuGet cache can never hand a test an older build; the cached copy of
/// that version is removed when the run ends. Only the package version is set (<c>PackageVersion</c>, not
/// <c>Version</c>): a global <c>Version</c> flows into the referenced projects and would rebuild the engine's shared
/// Release output under another assembly version, which the other test projects then load against a CLI compiled for
/// the real one. Projects use it through a NuGet.config that adds the feed to the
/// machine's own package sources, so every other package still restores from the NuGet cache, offline.
/// </summary>
public sealed class PackedSdkFeed : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("kaniko-sdk-feed-");

    /// <summary>The feed folder.</summary>
    public string Directory => _directory.Path;

    /// <summary>The packed version.</summary>
    public string Version { get; } = "0.0.1-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);

    /// <summary>Why the feed could not be made, or null when it was.</summary>
    public string? Failure { get; private set; }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var project = Path.Combine(TestPaths.RepositoryRoot, "src", "Kaniko.Sdk", "Kaniko.Sdk.csproj");
        var result = await DotnetCli.RunAsync(
            TestPaths.RepositoryRoot,
            ["pack", project, "-c", "Release", "-o", Directory, "-p:PackageVersion=" + Version, "--nologo"],
            TimeSpan.FromMinutes(15)).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            Failure = "dotnet pack src/Kaniko.Sdk failed: " + result.Output;
        }
    }

    /// <summary>Writes the NuGet.config of a test project in <paramref name="projectDirectory"/>.</summary>
    public void WriteNuGetConfig(string projectDirectory) => File.WriteAllText(
        Path.Combine(projectDirectory, "NuGet.config"),
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="kaniko-e2e" value="{Directory}" />
          </packageSources>
        </configuration>
        """);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _directory.Dispose();
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(packages, "kaniko.sdk", Version.ToLowerInvariant());
        if (System.IO.Directory.Exists(cached))
        {
            System.IO.Directory.Delete(cached, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
