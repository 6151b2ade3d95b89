using Kaniko.IntegrationTests.Fixtures;

namespace Kaniko.IntegrationTests.Portability;

/// <summary>
/// The one-file self-contained <c>dotnet-kaniko</c> of <c>scripts/publish-cli.sh</c> for another system (win-x64,
/// osx-arm64, ...), kept by <see cref="CachedPublish"/>.
/// </summary>
internal static class CliPublish
{
    /// <summary>What the published binary depends on: the tool's and the engine's sources and the build settings.</summary>
    private static readonly string[] Inputs = ["src", "Directory.Build.props", "Directory.Packages.props", "global.json", "scripts/publish-cli.sh"];

    /// <summary>The folder holding the tool published for <paramref name="runtime"/>; <paramref name="scratch"/> takes an uncached publish.</summary>
    public static Task<string> GetAsync(string runtime, string scratch, CancellationToken cancellationToken) =>
        CachedPublish.GetAsync("cli-publish-" + runtime, Inputs, "scripts/publish-cli.sh", [runtime], scratch, cancellationToken);
}
