using Kaniko.IntegrationTests.Fixtures;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The self-contained executor binary of <c>scripts/publish-executor.sh</c>, kept by <see cref="CachedPublish"/>.
/// </summary>
internal static class ExecutorPublish
{
    /// <summary>What the published binary depends on: the tool's and the engine's sources and the build settings.</summary>
    private static readonly string[] Inputs = ["src", "Directory.Build.props", "Directory.Packages.props", "global.json", "scripts/publish-executor.sh"];

    /// <summary>The folder holding the executable <c>dotnet-kaniko</c>; <paramref name="scratch"/> takes an uncached publish.</summary>
    public static Task<string> GetAsync(string scratch, CancellationToken cancellationToken) =>
        CachedPublish.GetAsync("executor-publish", Inputs, "scripts/publish-executor.sh", [], scratch, cancellationToken);
}
