using System.Security.Cryptography;
using System.Text;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Fixtures;

/// <summary>
/// Binaries that a script of <c>scripts/</c> publishes from the sources. A publish costs a minute or more, so its
/// output is kept in <see cref="TestCache"/> under a hash of the sources it was made from (git's object ids at HEAD
/// plus the local changes: the diff and the untracked files, so a checkout with changes gets its own entry);
/// without git it is published afresh into the test's own folder.
/// </summary>
internal static class CachedPublish
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The folder <paramref name="script"/> (a repository path) published into, given as its last argument after
    /// <paramref name="arguments"/>: the cache entry <paramref name="name"/>-KEY, or <paramref name="scratch"/>
    /// when there is no key.
    /// </summary>
    public static async Task<string> GetAsync(
        string name, IReadOnlyList<string> inputs, string script, IReadOnlyList<string> arguments, string scratch, CancellationToken cancellationToken)
    {
        var key = await SourceKeyAsync(inputs, cancellationToken);
        if (key is null)
        {
            await PublishAsync(scratch);
            return scratch;
        }

        return await TestCache.GetOrCreateDirectoryAsync(name + "-" + key, PublishAsync);

        async Task PublishAsync(string directory)
        {
            var path = Path.Combine(TestPaths.RepositoryRoot, script);
            var publish = await ExternalTools.RunAsync("bash", [path, .. arguments, directory], PublishTimeout, cancellationToken);
            if (publish.ExitCode != 0)
            {
                // dotnet publish reports build errors on standard output.
                throw new InvalidOperationException($"{publish.CommandLine} exited with {publish.ExitCode}: {publish.StandardOutput}{publish.StandardError}");
            }
        }
    }

    /// <summary>16 hex digits of a hash of <paramref name="inputs"/> (repository paths); null when git cannot tell.</summary>
    private static async Task<string?> SourceKeyAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        if (ExternalTools.Find("git") is not { } git)
        {
            return null;
        }

        var root = TestPaths.RepositoryRoot;
        var ids = await ExternalTools.RunAsync(git, ["-C", root, "rev-parse", .. inputs.Select(i => "HEAD:" + i)], cancellationToken: cancellationToken);
        var diff = await ExternalTools.RunAsync(git, ["-C", root, "diff", "HEAD", "--binary", "--", .. inputs], cancellationToken: cancellationToken);
        var untracked = await ExternalTools.RunAsync(git, ["-C", root, "ls-files", "--others", "--exclude-standard", "-z", "--", .. inputs], cancellationToken: cancellationToken);
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
