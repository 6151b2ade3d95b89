using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// Downloads the <c>http://</c> and <c>https://</c> sources of ADD as BuildKit's HTTP source does: a GET (redirects
/// followed by the client), any status below 200 or from 400 up is an error, the body is streamed to a file while
/// it is hashed, the file's time is the <c>Last-Modified</c> header or the Unix epoch, and a <c>--checksum</c> is
/// checked before the file is returned (on a mismatch the file is deleted and nothing is added). Network errors,
/// 408, 429 and 5xx answers are retried a few times. Proxies come from the <see cref="HttpClient"/> given (the
/// default handler reads <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c>/<c>NO_PROXY</c>); the build's proxy build arguments
/// are not applied here.
/// </summary>
internal sealed class HttpSourceFetcher
{
    /// <summary>The name dockerfile2llb gives a download whose URL path has no last segment.</summary>
    public const string UnnamedFileName = "__unnamed__";

    private readonly HttpClient _client;
    private readonly int _attempts;
    private readonly TimeSpan _retryDelay;

    /// <summary>Creates a fetcher using <paramref name="client"/>, trying each URL up to <paramref name="attempts"/> times.</summary>
    public HttpSourceFetcher(HttpClient client, int attempts = 3, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        _client = client;
        _attempts = attempts;
        _retryDelay = retryDelay ?? TimeSpan.FromMilliseconds(250);
    }

    /// <summary>Whether ADD treats <paramref name="source"/> as a URL to download (dockerfile2llb's <c>isHTTPSource</c>).</summary>
    public static bool IsHttpSource(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return (source.StartsWith("http://", StringComparison.Ordinal) || source.StartsWith("https://", StringComparison.Ordinal))
            && !GitSourceReference.IsGitSource(source);
    }

    /// <summary>The file name dockerfile2llb gives the download of <paramref name="url"/>: the last segment of its path, else <c>__unnamed__</c>.</summary>
    public static string FileNameOf(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return UnnamedFileName;
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath).TrimEnd('/');
        var slash = path.LastIndexOf('/');
        var name = path[(slash + 1)..];
        return name is "" or "." or ".." ? UnnamedFileName : name;
    }

    /// <summary>
    /// Parses an <c>ADD --checksum</c> value (<c>sha256:HEX</c> or <c>sha512:HEX</c>). Throws <c>KANIKO4212</c> when it
    /// is not one.
    /// </summary>
    public static Digest ParseChecksum(string checksum)
    {
        ArgumentNullException.ThrowIfNull(checksum);
        if (!Digest.TryParse(checksum, out var digest, out var reason))
        {
            throw new KanikoException(DiagnosticCodes.InvalidAddChecksum,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidAddChecksum, checksum, reason));
        }

        if (!digest.IsSupported)
        {
            throw new KanikoException(DiagnosticCodes.InvalidAddChecksum,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidAddChecksum, checksum, "unsupported algorithm " + digest.Algorithm));
        }

        return digest;
    }

    /// <summary>
    /// Downloads <paramref name="url"/> into a new file under <paramref name="downloadDirectory"/> and checks it
    /// against <paramref name="checksum"/> when given. Throws <c>KANIKO4210</c> when the download fails and
    /// <c>KANIKO4211</c> when the content has another digest.
    /// </summary>
    public async Task<DownloadedFile> FetchAsync(string url, Digest? checksum, string downloadDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(downloadDirectory);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw Failed(url, "not an http or https URL");
        }

        Directory.CreateDirectory(downloadDirectory);
        var hostPath = Path.Combine(downloadDirectory, "download-" + Guid.NewGuid().ToString("N"));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var downloaded = await DownloadAsync(url, uri, checksum?.Algorithm ?? Digest.Sha256, hostPath, cancellationToken).ConfigureAwait(false);
                if (checksum is { } expected && downloaded.Digest != expected)
                {
                    File.Delete(hostPath);
                    throw new KanikoException(DiagnosticCodes.HttpSourceChecksumMismatch,
                        string.Format(CultureInfo.InvariantCulture, Strings.HttpSourceChecksumMismatch, UrlRedaction.Redact(url), downloaded.Digest, expected));
                }

                return downloaded;
            }
            catch (Exception e) when (attempt < _attempts && IsTransient(e, cancellationToken))
            {
                File.Delete(hostPath);
                await Task.Delay(_retryDelay * attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                File.Delete(hostPath);
                throw e is TransientStatusException status ? Failed(url, status.Message) : Failed(url, e.Message, e);
            }
            catch
            {
                File.Delete(hostPath);
                throw;
            }
        }
    }

    private async Task<DownloadedFile> DownloadAsync(string url, Uri uri, string algorithm, string hostPath, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (status is < 200 or >= 400)
        {
            var message = string.Create(CultureInfo.InvariantCulture, $"invalid response status {status}");
            if (status is 408 or 429 or >= 500)
            {
                throw new TransientStatusException(message);
            }

            throw Failed(url, message);
        }

        using var hasher = DigestHasher.Create(algorithm);
        long size = 0;
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = DownloadedFile.DefaultMode;
            }

            var file = new FileStream(hostPath, options);
            await using (file.ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hasher.Append(buffer.AsSpan(0, read));
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }
            }
        }

        var modified = response.Content.Headers.LastModified ?? DateTimeOffset.UnixEpoch;
        return new DownloadedFile(url, hostPath, FileNameOf(url), hasher.GetDigest(), size, modified);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is TransientStatusException or HttpRequestException or IOException or TaskCanceledException;

    private static KanikoException Failed(string url, string reason, Exception? inner = null) => new(
        DiagnosticCodes.HttpSourceFailed,
        string.Format(CultureInfo.InvariantCulture, Strings.HttpSourceFailed, UrlRedaction.Redact(url), reason), innerException: inner);

    /// <summary>An answer worth trying again (408, 429, 5xx).</summary>
    private sealed class TransientStatusException(string message) : HttpRequestException(message);
}
