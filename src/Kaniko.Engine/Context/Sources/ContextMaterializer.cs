using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Context.Sources;

/// <summary>
/// Turns a <c>--context</c> value into a local directory before the build is planned, as kaniko's build contexts
/// do: a directory (a path or <c>dir://PATH</c>) is used in place; <c>tar://PATH</c>, <c>tar://stdin</c> and
/// <c>-</c> (an archive on standard input), a store a <see cref="IRemoteContextSource"/> handles, a git repository
/// (<c>git://…</c>, <c>ssh://…</c>, <c>user@host:path</c>, <c>http(s)://….git</c>) and an <c>http(s)://</c>
/// archive are fetched and unpacked into a private scratch folder, deleted when the result is disposed.
/// <c>--context-sub-path</c> then picks a folder of it. Credentials in URLs never reach a message.
/// </summary>
internal static partial class ContextMaterializer
{
    /// <summary>kaniko's spelling of an archive read from standard input.</summary>
    public const string StandardInputArchive = "tar://stdin";

    /// <summary>docker build's spelling of a context read from standard input (a tar, or a lone Dockerfile).</summary>
    public const string StandardInput = "-";

    private const string ArchiveFileName = "context.archive";
    private const string ContentFolderName = "context";
    private const string SpoolFolderName = "spool";

    /// <summary>Whether <paramref name="contextArgument"/> is read from standard input (<c>tar://stdin</c> or <c>-</c>), so it can be read only once.</summary>
    public static bool ReadsStandardInput(string contextArgument) =>
        contextArgument == StandardInput || string.Equals(contextArgument, StandardInputArchive, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Whether <paramref name="contextArgument"/> names a local folder, used in place: nothing is fetched, unpacked or
    /// read from standard input to make it (the first rungs of <see cref="MaterializeAsync"/>).
    /// </summary>
    public static bool IsLocalDirectory(string contextArgument)
    {
        ArgumentNullException.ThrowIfNull(contextArgument);
        var scheme = SchemePattern().Match(contextArgument) is { Success: true } match ? match.Groups[1].Value.ToLowerInvariant() : null;
        return contextArgument != StandardInput
            && scheme is null or "dir"
            && !(scheme is null && !Path.Exists(contextArgument) && GitContextReference.IsGitContext(contextArgument));
    }

    /// <summary>Makes <paramref name="contextArgument"/> available as a local directory.</summary>
    /// <exception cref="KanikoException">The context cannot be found, fetched or unpacked (KANIKO2001–2004, 2030–2038,
    /// or a remote store's own code).</exception>
    public static async Task<MaterializedContext> MaterializeAsync(string contextArgument, ContextSourceOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contextArgument);
        ArgumentNullException.ThrowIfNull(options);
        var display = UrlRedaction.Redact(contextArgument);
        var scheme = SchemePattern().Match(contextArgument) is { Success: true } match ? match.Groups[1].Value.ToLowerInvariant() : null;
        if (contextArgument == StandardInput)
        {
            return await FromArchiveAsync(display, options, (path, ct) => SpoolStandardInputAsync(options, display, path, ct), lonelyDockerfile: true, cancellationToken).ConfigureAwait(false);
        }

        if (scheme is null && !Path.Exists(contextArgument) && GitContextReference.IsGitContext(contextArgument))
        {
            // BuildKit's scp-like form (git@host:org/repo.git), unless a local folder has that name.
            return await FromGitAsync(contextArgument, display, options, cancellationToken).ConfigureAwait(false);
        }

        if (scheme is null or "dir")
        {
            var directory = BuildContextFactory.ContextDirectory(contextArgument);
            return new MaterializedContext(SubDirectory(directory, options.SubPath, display), display, scratchDirectory: null);
        }

        if (scheme == "tar")
        {
            var path = contextArgument["tar://".Length..];
            if (ReadsStandardInput(contextArgument))
            {
                return await FromArchiveAsync(display, options, (file, ct) => SpoolStandardInputAsync(options, display, file, ct), lonelyDockerfile: false, cancellationToken).ConfigureAwait(false);
            }

            if (path.Length == 0 || !File.Exists(path))
            {
                throw new KanikoException(DiagnosticCodes.ContextArchiveNotFound,
                    string.Format(CultureInfo.InvariantCulture, Strings.ContextArchiveNotFound, path));
            }

            return await FromArchiveAsync(display, options, localArchive: Path.GetFullPath(path), cancellationToken).ConfigureAwait(false);
        }

        if (options.RemoteSources.FirstOrDefault(s => s.CanFetch(contextArgument)) is { } remote)
        {
            return await FromArchiveAsync(display, options, (file, ct) => FetchRemoteAsync(remote, contextArgument, file, ct), lonelyDockerfile: false, cancellationToken).ConfigureAwait(false);
        }

        if (GitContextReference.IsGitContext(contextArgument))
        {
            return await FromGitAsync(contextArgument, display, options, cancellationToken).ConfigureAwait(false);
        }

        if (scheme is "http" or "https")
        {
            return await FromArchiveAsync(display, options, (file, ct) => DownloadAsync(contextArgument, display, options, file, ct), lonelyDockerfile: true, cancellationToken).ConfigureAwait(false);
        }

        // s3://, gs:// without a registered store, and unknown schemes: the local resolver's errors say which.
        BuildContextFactory.ContextDirectory(contextArgument);
        throw new UnreachableException();
    }

    /// <summary>
    /// The folder <paramref name="subPath"/> names inside <paramref name="root"/>, resolved as a path inside the
    /// context (links and <c>..</c> cannot leave it); the root itself when no sub-path is given.
    /// </summary>
    /// <exception cref="KanikoException"><c>KANIKO2036</c> when it is not a directory.</exception>
    internal static string SubDirectory(string root, string? subPath, string display)
    {
        if (string.IsNullOrEmpty(subPath) || subPath.Trim('/') is "" or ".")
        {
            return root;
        }

        var resolved = SecurePath.Resolve(root, subPath);
        if (!Directory.Exists(resolved))
        {
            throw new KanikoException(DiagnosticCodes.ContextSubPathNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextSubPathNotFound, display, subPath));
        }

        return resolved;
    }

    private static Task<MaterializedContext> FromArchiveAsync(string display, ContextSourceOptions options, string localArchive, CancellationToken cancellationToken) =>
        FromArchiveAsync(display, options, localArchive, fetch: null, lonelyDockerfile: false, cancellationToken);

    private static Task<MaterializedContext> FromArchiveAsync(
        string display, ContextSourceOptions options, Func<string, CancellationToken, Task> fetch, bool lonelyDockerfile, CancellationToken cancellationToken) =>
        FromArchiveAsync(display, options, localArchive: null, fetch, lonelyDockerfile, cancellationToken);

    private static async Task<MaterializedContext> FromArchiveAsync(
        string display, ContextSourceOptions options, string? localArchive, Func<string, CancellationToken, Task>? fetch, bool lonelyDockerfile, CancellationToken cancellationToken)
    {
        var scratch = ScratchDirectories.Create(options.ScratchRoot);
        try
        {
            var archive = localArchive ?? Path.Combine(scratch, ArchiveFileName);
            if (fetch is not null)
            {
                await fetch(archive, cancellationToken).ConfigureAwait(false);
            }

            var content = Directory.CreateDirectory(Path.Combine(scratch, ContentFolderName)).FullName;
            if (lonelyDockerfile && !ArchiveDetector.IsArchive(archive))
            {
                // docker build's rule for `-` and URLs: anything but an archive is the Dockerfile of an empty context.
                File.Move(archive, Path.Combine(content, DockerfileLocator.DefaultName));
            }
            else
            {
                var spool = Path.Combine(scratch, SpoolFolderName);
                await ContextArchiveUnpacker.UnpackAsync(archive, display, content, spool, cancellationToken).ConfigureAwait(false);
                if (Directory.Exists(spool))
                {
                    Directory.Delete(spool, recursive: true);
                }

                if (localArchive is null)
                {
                    File.Delete(archive);
                }
            }

            return new MaterializedContext(SubDirectory(content, options.SubPath, display), display, scratch);
        }
        catch
        {
            ScratchDirectories.Delete(scratch);
            throw;
        }
    }

    private static async Task SpoolStandardInputAsync(ContextSourceOptions options, string display, string path, CancellationToken cancellationToken)
    {
        var input = options.OpenStandardInput?.Invoke() ?? throw new KanikoException(DiagnosticCodes.ContextStandardInputUnavailable,
            string.Format(CultureInfo.InvariantCulture, Strings.ContextStandardInputUnavailable, display));
        await using (input.ConfigureAwait(false))
        {
            await WriteFileAsync(path, file => input.CopyToAsync(file, cancellationToken)).ConfigureAwait(false);
        }
    }

    private static Task FetchRemoteAsync(IRemoteContextSource source, string contextArgument, string path, CancellationToken cancellationToken) =>
        WriteFileAsync(path, file => source.FetchAsync(contextArgument, file, cancellationToken));

    private static async Task WriteFileAsync(string path, Func<Stream, Task> write)
    {
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await write(file).ConfigureAwait(false);
        }
    }

    private static async Task<MaterializedContext> FromGitAsync(string contextArgument, string display, ContextSourceOptions options, CancellationToken cancellationToken)
    {
        var reference = GitContextReference.Parse(contextArgument, options.Git);
        var configuration = new List<KeyValuePair<string, string>>();
        if (options.Git.InsecureSkipTls)
        {
            configuration.Add(new("http.sslVerify", "false"));
        }

        if (options.Git.Credential?.HeaderSetting(reference.Source.Remote) is { } header)
        {
            configuration.Add(header);
        }

        var scratch = ScratchDirectories.Create(options.ScratchRoot);
        try
        {
            GitCheckout checkout;
            try
            {
                checkout = await new GitSourceFetcher(configuration: configuration)
                    .FetchAsync(reference.Source, keepGitDirectory: false, scratch, cancellationToken).ConfigureAwait(false);
            }
            catch (GitCommandException e) when (IsMissingRevision(e, reference))
            {
                throw new KanikoException(DiagnosticCodes.ContextGitRefNotFound, string.Format(
                    CultureInfo.InvariantCulture, Strings.ContextGitRefNotFound, display, reference.RevisionLabel, FirstLine(e.GitMessage)), innerException: e);
            }
            catch (GitCommandException e)
            {
                throw GitFailed(display, FirstLine(e.GitMessage), e);
            }
            catch (KanikoException e) when (e.Code == DiagnosticCodes.GitNotFound)
            {
                throw GitFailed(display, "the git program was not found on PATH", e);
            }

            var root = SubDirectory(checkout.Directory, reference.Subdirectory, display);
            return new MaterializedContext(SubDirectory(root, options.SubPath, display), display, scratch);
        }
        catch
        {
            ScratchDirectories.Delete(scratch);
            throw;
        }
    }

    // A fetch of a named ref that the remote lacks, or the checkout of a commit the full history does not hold.
    private static bool IsMissingRevision(GitCommandException e, GitContextReference reference) =>
        reference.RevisionLabel is not null
        && (e.GitMessage.Contains("couldn't find remote ref", StringComparison.OrdinalIgnoreCase)
            || (e.Command == "checkout" && GitSourceReference.IsFullCommit(reference.Source.Ref)));

    private static KanikoException GitFailed(string display, string reason, Exception inner) => new(
        DiagnosticCodes.ContextGitFailed,
        string.Format(CultureInfo.InvariantCulture, Strings.ContextGitFailed, display, reason),
        innerException: inner);

    private static string FirstLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? text : lines[0];
    }

    private static async Task DownloadAsync(string url, string display, ContextSourceOptions options, string path, CancellationToken cancellationToken)
    {
        using var ownClient = options.HttpClient is null ? new HttpClient() : null;
        DownloadedFile downloaded;
        try
        {
            downloaded = await new HttpSourceFetcher(options.HttpClient ?? ownClient!)
                .FetchAsync(url, checksum: null, Path.GetDirectoryName(path)!, cancellationToken).ConfigureAwait(false);
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.HttpSourceFailed)
        {
            throw new KanikoException(DiagnosticCodes.ContextDownloadFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.ContextDownloadFailed, display, UrlRedaction.Redact(e.Detail)), innerException: e);
        }

        File.Move(downloaded.HostPath, path);
    }

    [GeneratedRegex("^([A-Za-z][A-Za-z0-9+.-]*)://")]
    private static partial Regex SchemePattern();
}
