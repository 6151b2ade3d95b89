using System.Security.Cryptography;
using System.Text;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The self-contained executor binary of <c>scripts/publish-executor.sh</c>. A publish costs half a minute, so it is
/// kept in <see cref="TestCache"/> under the git ids of the source it was made from; a checkout whose sources differ
/// from its commit publishes afresh into the test's own folder.
/// </summary>
internal static class ExecutorPublish
{
    /// <summary>What the published binary depends on: the tool's and the engine's sources and the build settings.</summary>
    private static readonly string[] Inputs = ["src", "Directory.Build.props", "Directory.Packages.props", "global.json", "scripts/publish-executor.sh"];

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The folder holding the executable <c>dotnet-kaniko</c>; <paramref name="scratch"/> takes an uncached publish.</summary>
    public static async Task<string> GetAsync(string scratch, CancellationToken cancellationToken)
    {
        var key = await SourceKeyAsync(cancellationToken);
        if (key is null)
        {
            await PublishAsync(scratch, cancellationToken);
            return scratch;
        }

        return await TestCache.GetOrCreateDirectoryAsync("executor-publish-" + key, staging => PublishAsync(staging, cancellationToken));
    }

    private static async Task PublishAsync(string directory, CancellationToken cancellationToken)
    {
        var script = Path.Combine(TestPaths.RepositoryRoot, "scripts", "publish-executor.sh");
        var publish = await ExternalTools.RunAsync("bash", [script, directory], PublishTimeout, cancellationToken);
        if (publish.ExitCode != 0)
        {
            // dotnet publish reports build errors on standard output.
            throw new InvalidOperationException($"{publish.CommandLine} exited with {publish.ExitCode}: {publish.StandardOutput}{publish.StandardError}");
        }
    }

    /// <summary>A hash of the inputs' git object ids at HEAD, or null when git is missing or an input has local changes.</summary>
    private static async Task<string?> SourceKeyAsync(CancellationToken cancellationToken)
    {
        if (ExternalTools.Find("git") is not { } git)
        {
            return null;
        }

        var root = TestPaths.RepositoryRoot;
        var status = await ExternalTools.RunAsync(git, ["-C", root, "status", "--porcelain", "--", .. Inputs], cancellationToken: cancellationToken);
        if (status.ExitCode != 0 || status.StandardOutput.Length > 0)
        {
            return null;
        }

        var ids = await ExternalTools.RunAsync(git, ["-C", root, "rev-parse", .. Inputs.Select(i => "HEAD:" + i)], cancellationToken: cancellationToken);
        if (ids.ExitCode != 0)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ids.StandardOutput)))[..16];
    }
}
