using System.Diagnostics;
using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// Checks out the git sources of ADD with the <c>git</c> program, as BuildKit's git source does: an empty repository,
/// a shallow fetch of the ref (a branch, tag, full ref or commit; the remote's HEAD when none), a detached checkout,
/// submodules, then the <c>.git</c> folder is dropped unless kept. A commit that the remote does not serve shallowly
/// is fetched with full history. Git never prompts (credentials come from git's own configuration).
/// </summary>
internal sealed class GitSourceFetcher
{
    private readonly string _git;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _configuration;

    /// <summary>
    /// Creates a fetcher that runs <paramref name="gitExecutable"/> (found on PATH when only a name), with the extra
    /// git settings of <paramref name="configuration"/>. They reach git through its environment
    /// (<c>GIT_CONFIG_COUNT</c>, <c>GIT_CONFIG_KEY_n</c>, <c>GIT_CONFIG_VALUE_n</c>), never its command line, so a
    /// credential header among them is not visible to other users in the process list.
    /// </summary>
    public GitSourceFetcher(string gitExecutable = "git", IReadOnlyList<KeyValuePair<string, string>>? configuration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(gitExecutable);
        _git = gitExecutable;
        _configuration = configuration ?? [];
    }

    /// <summary>
    /// Fetches <paramref name="source"/> into a new folder under <paramref name="workDirectory"/>. The <c>.git</c>
    /// folder is kept when the source's query says so, else when <paramref name="keepGitDirectory"/> is set.
    /// Throws <c>KANIKO4220</c> without git, <c>KANIKO4221</c> when a git command fails (with git's message), and
    /// <c>KANIKO4223</c> when the subdirectory is missing.
    /// </summary>
    public async Task<GitCheckout> FetchAsync(GitSourceReference source, bool keepGitDirectory, string workDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(workDirectory);
        var keep = source.KeepGitDir ?? keepGitDirectory;
        var checkout = Path.Combine(workDirectory, "git-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(checkout);
        await RunAsync(source, checkout, cancellationToken, "init", "--quiet").ConfigureAwait(false);
        await RunAsync(source, checkout, cancellationToken, "remote", "add", "origin", source.Remote).ConfigureAwait(false);
        var reference = source.Ref ?? "HEAD";
        try
        {
            await RunAsync(source, checkout, cancellationToken, "fetch", "--quiet", "--depth=1", "--no-tags", "origin", reference).ConfigureAwait(false);
            await RunAsync(source, checkout, cancellationToken, "checkout", "--quiet", "FETCH_HEAD").ConfigureAwait(false);
        }
        catch (KanikoException) when (GitSourceReference.IsFullCommit(reference))
        {
            // Servers may refuse to serve an unadvertised commit by id; fetch everything and check it out instead.
            await RunAsync(source, checkout, cancellationToken, "fetch", "--quiet", "--tags", "origin").ConfigureAwait(false);
            await RunAsync(source, checkout, cancellationToken, "checkout", "--quiet", reference).ConfigureAwait(false);
        }

        var commit = (await RunAsync(source, checkout, cancellationToken, "rev-parse", "HEAD").ConfigureAwait(false)).Trim();
        if (source.ExpectedCommit is { } expected && !commit.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new GitCommandException("checkout", source.Remote, "expected commit " + expected + " but got " + commit);
        }

        var seconds = (await RunAsync(source, checkout, cancellationToken, "log", "-1", "--format=%ct").ConfigureAwait(false)).Trim();
        var commitTime = DateTimeOffset.FromUnixTimeSeconds(long.Parse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture));
        if (source.Submodules && File.Exists(Path.Combine(checkout, ".gitmodules")))
        {
            await RunAsync(source, checkout, cancellationToken, "submodule", "update", "--init", "--recursive", "--depth=1").ConfigureAwait(false);
        }

        if (!keep)
        {
            DeleteTree(Path.Combine(checkout, ".git"));
        }

        var content = checkout;
        if (source.Subdirectory is { } subdirectory)
        {
            content = Path.Combine([checkout, .. subdirectory.Split('/')]);
            var info = new DirectoryInfo(content);
            if (!info.Exists || info.LinkTarget is not null)
            {
                throw new KanikoException(DiagnosticCodes.GitSubdirNotFound,
                    string.Format(CultureInfo.InvariantCulture, Strings.GitSubdirNotFound, UrlRedaction.Redact(source.Remote), subdirectory));
            }
        }

        return new GitCheckout(source, content, commit, commitTime, keep && source.Subdirectory is null);
    }

    private async Task<string> RunAsync(GitSourceReference source, string directory, CancellationToken cancellationToken, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(_git)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("advice.detachedHead=false");
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("init.defaultBranch=main");
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment["GIT_TERMINAL_PROMPT"] = "0";
        if (_configuration.Count > 0)
        {
            startInfo.Environment["GIT_CONFIG_COUNT"] = _configuration.Count.ToString(CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < _configuration.Count; i++)
        {
            var index = i.ToString(CultureInfo.InvariantCulture);
            startInfo.Environment["GIT_CONFIG_KEY_" + index] = _configuration[i].Key;
            startInfo.Environment["GIT_CONFIG_VALUE_" + index] = _configuration[i].Value;
        }

        startInfo.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(startInfo) ?? throw new InvalidOperationException("git did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new KanikoException(DiagnosticCodes.GitNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.GitNotFound, UrlRedaction.Redact(source.Remote)));
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            var standardOutput = await output.ConfigureAwait(false);
            var standardError = await error.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var message = standardError.Trim();
                throw new GitCommandException(arguments[0], source.Remote,
                    message.Length == 0 ? "exit code " + process.ExitCode.ToString(CultureInfo.InvariantCulture) : message);
            }

            return standardOutput;
        }
    }

    private static void DeleteTree(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return;
        }

        // Git makes its object files read-only; that only matters on Windows, where read-only files cannot be deleted.
        foreach (var file in System.IO.Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        System.IO.Directory.Delete(path, recursive: true);
    }
}
