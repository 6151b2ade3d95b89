using System.Security.Cryptography;
using System.Text;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Executor;

/// <summary>
/// The self-contained executor binary of <c>scripts/publish-executor.sh</c>. A publish costs a minute or more, so it
/// is kept in <see cref="TestCache"/> under a hash of the sources it was made from (git's ids and local changes);
/// without git it is published afresh into the test's own folder.
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

    /// <summary>
    /// A hash of the inputs: their git object ids at HEAD, plus the local changes to them (the diff and the untracked
    /// files), so a checkout with changes gets its own entry; null when git cannot tell.
    /// </summary>
    private static async Task<string?> SourceKeyAsync(CancellationToken cancellationToken)
    {
        if (ExternalTools.Find("git") is not { } git)
        {
            return null;
        }

        var root = TestPaths.RepositoryRoot;
        var ids = await ExternalTools.RunAsync(git, ["-C", root, "rev-parse", .. Inputs.Select(i => "HEAD:" + i)], cancellationToken: cancellationToken);
        var diff = await ExternalTools.RunAsync(git, ["-C", root, "diff", "HEAD", "--binary", "--", .. Inputs], cancellationToken: cancellationToken);
        var untracked = await ExternalTools.RunAsync(git, ["-C", root, "ls-files", "--others", "--exclude-standard", "-z", "--", .. Inputs], cancellationToken: cancellationToken);
        if (ids.ExitCode != 0 || diff.ExitCode != 0 || untracked.ExitCode != 0)
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(ids.StandardOutput + "\0" + diff.StandardOutput + "\0"));
        foreach (var file in untracked.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
            hash.AppendData(await File.ReadAllBytesAsync(Path.Combine(root, file), cancellationToken));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
