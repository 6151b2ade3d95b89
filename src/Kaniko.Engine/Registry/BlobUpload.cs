using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Registry;

/// <summary>
/// The distribution spec's blob upload protocol, as one unit: HEAD before uploading (a blob the repository has is
/// not sent again), a cross-repository mount when another repository of the registry holds it, then a monolithic
/// PUT or PATCH chunks and a closing PUT, each way tried when the registry refuses the other. The requests go
/// through <see cref="IRegistryChannel"/>, which brings the client's retries, authentication and error mapping.
/// </summary>
internal sealed class BlobUpload(IRegistryChannel channel)
{
    private const string OctetStream = "application/octet-stream";

    /// <summary>
    /// Asks the registry to mount a blob from another repository of the same registry
    /// (<c>POST /v2/NAME/blobs/uploads/?mount=DIGEST&amp;from=REPO</c>). True when it did (201); false when it
    /// answered 202 instead (the blob must be uploaded).
    /// </summary>
    public async Task<bool> TryMountBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(source);
        var (mounted, _) = await StartUploadAsync(repository, digest, source, cancellationToken).ConfigureAwait(false);
        return mounted;
    }

    /// <summary>
    /// Makes sure the repository has a blob, doing as little as possible: HEAD (present: done), then a cross-repository
    /// mount when <paramref name="mountFrom"/> is another repository of the same registry, then an upload.
    /// Content-addressed, so calling it twice is harmless.
    /// </summary>
    /// <param name="repository">Where the blob must end up.</param>
    /// <param name="blob">The blob's digest and size.</param>
    /// <param name="openContent">Opens the blob's bytes; called again for each retry, never buffered.</param>
    /// <param name="mountFrom">A repository of the same registry known to hold the blob.</param>
    /// <param name="cancellationToken">Cancels the transfer.</param>
    public async Task<BlobPushOutcome> PushBlobAsync(
        RepositoryName repository,
        Descriptor blob,
        Func<CancellationToken, Task<Stream>> openContent,
        RepositoryName? mountFrom = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(openContent);
        if (await channel.HeadBlobAsync(repository, blob.Digest, RegistryAccess.Push, cancellationToken).ConfigureAwait(false) is not null)
        {
            return BlobPushOutcome.AlreadyPresent;
        }

        Uri? location = null;
        if (mountFrom is not null && mountFrom.Registry == repository.Registry && mountFrom.Repository != repository.Repository)
        {
            var (mounted, offered) = await StartUploadAsync(repository, blob.Digest, mountFrom, cancellationToken).ConfigureAwait(false);
            if (mounted)
            {
                return BlobPushOutcome.Mounted;
            }

            location = offered;
        }

        await UploadBlobAsync(repository, blob, openContent, location, cancellationToken).ConfigureAwait(false);
        return BlobPushOutcome.Uploaded;
    }

    /// <summary>
    /// Uploads a blob without checking first: one PUT by default, or PATCH chunks then a PUT when
    /// <see cref="RegistryOptions.UploadChunkSize"/> is set; when the registry refuses one way (405, 413, 501) the
    /// other is tried. A transient failure restarts the upload from a freshly opened stream.
    /// </summary>
    public Task UploadBlobAsync(RepositoryName repository, Descriptor blob, Func<CancellationToken, Task<Stream>> openContent, CancellationToken cancellationToken = default) =>
        UploadBlobAsync(repository, blob, openContent, null, cancellationToken);

    private async Task UploadBlobAsync(RepositoryName repository, Descriptor blob, Func<CancellationToken, Task<Stream>> openContent, Uri? location, CancellationToken cancellationToken)
    {
        var context = new RequestContext($"upload blob {blob.Digest} to {repository}", repository.Registry, RegistryAccess.Push);
        var chunked = channel.Options.UploadChunkSize is > 0 && blob.Size > 0;
        try
        {
            await channel.ExecuteAsync(context, bounded: false, async attemptToken =>
            {
                // No deadline for the whole upload (a large blob on a slow link takes what it takes), but one for
                // moving no byte: a registry that stops reading must not hold the build forever.
                using var watchdog = new TransferWatchdog(channel.Options.TransferStallTimeout, attemptToken);
                var token = watchdog.Token;
                try
                {
                    var start = location ?? (await StartUploadAsync(repository, null, null, token).ConfigureAwait(false)).Location!;
                    location = null; // an upload session is used once; a retry starts a new one
                    try
                    {
                        await SendContentAsync(repository, blob, openContent, start, chunked, context, watchdog).ConfigureAwait(false);
                    }
                    catch (RegistryException refused) when (refused.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.NotImplemented
                        && (chunked || blob.Size > 0))
                    {
                        // The registry (or a proxy in front of it) refuses this way of sending: try the other one, and
                        // keep it for any retry.
                        chunked = !chunked;
                        var again = (await StartUploadAsync(repository, null, null, token).ConfigureAwait(false)).Location!;
                        await SendContentAsync(repository, blob, openContent, again, chunked, context, watchdog).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException e) when (watchdog.Stalled)
                {
                    throw RegistryErrors.Stalled(context, channel.Options.TransferStallTimeout, e);
                }

                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Code == DiagnosticCodes.RegistryRequestFailed)
        {
            throw new RegistryException(
                DiagnosticCodes.BlobUploadFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.BlobUploadFailed, blob.Digest, repository, e.Detail),
                e.StatusCode, e.Errors, e.IsTransient, e.RetryAfter, e);
        }
    }

    private async Task SendContentAsync(RepositoryName repository, Descriptor blob, Func<CancellationToken, Task<Stream>> openContent, Uri location, bool chunked, RequestContext context, TransferWatchdog watchdog)
    {
        var cancellationToken = watchdog.Token;
        // Checked on the way out: content that is not what the descriptor says fails here, not as a registry error.
        // Every read the request makes of it is progress for the watchdog.
        await using var content = new DigestVerifyingStream(watchdog.Watch(await openContent(cancellationToken).ConfigureAwait(false)), blob);
        var scopes = RegistryScope.RepositoryPush(repository.Repository);
        if (chunked)
        {
            var chunkSize = channel.Options.UploadChunkSize ?? blob.Size;
            for (long offset = 0; offset < blob.Size;)
            {
                var length = Math.Min(chunkSize, blob.Size - offset);
                using var patch = new HttpRequestMessage(HttpMethod.Patch, location)
                {
                    Content = new StreamContent(new LengthLimitedStream(content, length)),
                };
                patch.Content.Headers.ContentLength = length;
                patch.Content.Headers.ContentType = new MediaTypeHeaderValue(OctetStream);
                // The distribution spec wants "start-end" (inclusive), not the "bytes start-end/total" of RFC 9110.
                patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + length - 1}"));
                AuthenticatingHandler.SetScopes(patch, scopes);
                using var answer = await channel.SendAuthenticatedAsync(repository.Registry, RegistryAccess.Push, patch, cancellationToken).ConfigureAwait(false);
                if (answer.StatusCode != HttpStatusCode.Accepted)
                {
                    throw await channel.ErrorAsync(answer, context, cancellationToken).ConfigureAwait(false);
                }

                location = NextLocation(answer, location, context);
                offset += length;
            }

            // One more read reaches the end of the source, where the verifying stream checks size and digest.
            if (await content.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new InvalidOperationException("unreachable: the verifying stream rejects extra bytes");
            }

            using var finish = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest)) { Content = new ByteArrayContent([]) };
            finish.Content.Headers.ContentType = new MediaTypeHeaderValue(OctetStream);
            AuthenticatingHandler.SetScopes(finish, scopes);
            using var done = await channel.SendAuthenticatedAsync(repository.Registry, RegistryAccess.Push, finish, cancellationToken).ConfigureAwait(false);
            if (!done.IsSuccessStatusCode)
            {
                throw await channel.ErrorAsync(done, context, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        using var put = new HttpRequestMessage(HttpMethod.Put, WithDigest(location, blob.Digest))
        {
            // Read to its end, so the verifying stream checks the digest before the request completes.
            Content = new StreamContent(content),
        };
        put.Content.Headers.ContentLength = blob.Size;
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(OctetStream);
        AuthenticatingHandler.SetScopes(put, scopes);
        using var response = await channel.SendAuthenticatedAsync(repository.Registry, RegistryAccess.Push, put, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await channel.ErrorAsync(response, context, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<(bool Mounted, Uri? Location)> StartUploadAsync(RepositoryName repository, Digest? mount, RepositoryName? from, CancellationToken cancellationToken)
    {
        var description = mount is { } m && from is not null ? $"mount blob {m} from {from} into {repository}" : $"start upload to {repository}";
        var context = new RequestContext(description, repository.Registry, RegistryAccess.Push);
        return channel.ExecuteAsync(context, bounded: true, async token =>
        {
            var query = mount is { } d && from is not null
                ? "?mount=" + Uri.EscapeDataString(d.ToString()) + "&from=" + Uri.EscapeDataString(from.Repository)
                : string.Empty;
            var uri = await channel.RepositoryUriAsync(repository, RegistryAccess.Push, "blobs/uploads/" + query, token).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent([]) };
            List<RegistryScope> scopes = [RegistryScope.RepositoryPush(repository.Repository)];
            if (from is not null)
            {
                scopes.Add(RegistryScope.RepositoryPull(from.Repository));
            }

            AuthenticatingHandler.SetScopes(request, scopes);
            using var response = await channel.SendAuthenticatedAsync(repository.Registry, RegistryAccess.Push, request, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created && mount is not null)
            {
                return (true, (Uri?)null);
            }

            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw await channel.ErrorAsync(response, context, token).ConfigureAwait(false);
            }

            return (false, NextLocation(response, uri, context));
        }, cancellationToken);
    }

    private static Uri NextLocation(HttpResponseMessage response, Uri requestUri, RequestContext context)
    {
        if (response.Headers.Location is not { } location)
        {
            throw new RegistryException(
                DiagnosticCodes.RegistryRequestFailed,
                string.Format(CultureInfo.InvariantCulture, Strings.RegistryRequestFailed, context.Description, context.Registry,
                    ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), " without the Location header the upload needs"),
                response.StatusCode);
        }

        return new Uri(requestUri, location);
    }

    private static Uri WithDigest(Uri location, Digest digest)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : string.Empty) + "digest=" + Uri.EscapeDataString(digest.ToString());
        return builder.Uri;
    }
}

/// <summary>
/// What the blob upload protocol (<see cref="BlobUpload"/>) needs of a registry client: its settings, its retry
/// policy, the endpoints of a repository, authenticated requests and the mapping of error answers.
/// </summary>
internal interface IRegistryChannel
{
    /// <summary>The settings the client talks to registries with (chunk size, stall timeout).</summary>
    RegistryOptions Options { get; }

    /// <summary>The size of a blob the repository has, or <c>null</c> when it has none with that digest.</summary>
    Task<long?> HeadBlobAsync(RepositoryName repository, Digest digest, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default);

    /// <summary>Runs one operation under the retry policy of its access; each attempt bounded by the request timeout when <paramref name="bounded"/>.</summary>
    Task<T> ExecuteAsync<T>(RequestContext context, bool bounded, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken);

    /// <summary>The address of <paramref name="path"/> under the repository's <c>/v2/NAME/</c>.</summary>
    Task<Uri> RepositoryUriAsync(RepositoryName repository, RegistryAccess access, string path, CancellationToken cancellationToken);

    /// <summary>Sends a request to the registry through the authentication handshake for <paramref name="access"/>.</summary>
    Task<HttpResponseMessage> SendAuthenticatedAsync(string registry, RegistryAccess access, HttpRequestMessage request, CancellationToken cancellationToken);

    /// <summary>The error an unexpected answer means, with the registry's error codes and the credentials in use.</summary>
    Task<RegistryException> ErrorAsync(HttpResponseMessage response, RequestContext context, CancellationToken cancellationToken);
}
