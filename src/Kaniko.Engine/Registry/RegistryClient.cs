using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.Http.Headers;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry.Auth;
using Polly;
using Polly.Retry;

namespace Kaniko.Engine.Registry;

/// <summary>
/// The OCI distribution API: manifests (GET, HEAD, PUT, DELETE), blobs (HEAD, streamed and verified GET, mount,
/// monolithic and chunked upload) on any registry, with the authentication handshake, plain HTTP only for registries
/// marked insecure, per-registry TLS settings, redirects followed without leaking credentials to other hosts, and
/// retries with exponential backoff for transient failures (429, 5xx, resets, timeouts), honouring <c>Retry-After</c>.
/// Thread-safe; one instance serves a whole build.
/// </summary>
/// <remarks>
/// One protocol client, kept whole on purpose: every operation shares the retry pipeline, the per-registry
/// transports, the scheme probe and the redirect rules. The blob upload protocol is <see cref="BlobUpload"/>;
/// reading manifest answers is <see cref="ManifestResponses"/>.
/// </remarks>
internal sealed class RegistryClient : IRegistryClient, IRegistryChannel, IDisposable
{
    private const int MaxRedirects = 10;

    private static readonly string[] ManifestAccept =
    [
        MediaType.OciManifest.Value, MediaType.OciIndex.Value, MediaType.DockerManifest.Value, MediaType.DockerManifestList.Value,
    ];

    private readonly IKeychain _keychain;
    private readonly TokenCache _tokens = new();
    private readonly Func<HttpMessageHandler, HttpMessageHandler>? _wrap;
    private readonly ConcurrentDictionary<(string, RegistryAccess), Lazy<RegistryTransport>> _transports = new();
    private readonly ConcurrentDictionary<(string, RegistryAccess), Lazy<Task<Uri>>> _baseUris = new();
    private readonly Lazy<HttpMessageInvoker> _foreign;
    private readonly ResiliencePipeline _pullPipeline;
    private readonly ResiliencePipeline _pushPipeline;
    private readonly BlobUpload _uploads;

    /// <summary>Creates a client.</summary>
    /// <param name="options">Registry settings; defaults when null.</param>
    /// <param name="keychain">Where credentials come from; <see cref="ChainedKeychain.CreateDefault"/> when null.</param>
    /// <param name="transportWrapper">
    /// Wraps the socket handler of every registry (and of redirect targets), for diagnostics and tests; the returned
    /// handler must forward to the one it was given.
    /// </param>
    public RegistryClient(RegistryOptions? options = null, IKeychain? keychain = null, Func<HttpMessageHandler, HttpMessageHandler>? transportWrapper = null)
    {
        Options = options ?? new RegistryOptions();
        _keychain = keychain ?? ChainedKeychain.CreateDefault();
        _wrap = transportWrapper;
        _foreign = new Lazy<HttpMessageInvoker>(() => new HttpMessageInvoker(RegistryTransport.CreateForeignHandler(Options, _wrap), disposeHandler: true));
        _pullPipeline = BuildPipeline(Options.RetriesFor(RegistryAccess.Pull));
        _pushPipeline = BuildPipeline(Options.RetriesFor(RegistryAccess.Push));
        _uploads = new BlobUpload(this);
    }

    /// <summary>The settings in use.</summary>
    public RegistryOptions Options { get; }

    /// <summary>The keychain's description, for messages about credentials.</summary>
    public string KeychainDescription => _keychain.Description;

    /// <summary>
    /// Checks that <paramref name="registry"/> speaks the distribution API (<c>GET /v2/</c> answers 200 or 401) and
    /// returns its base address; for an insecure registry this is where HTTPS or plain HTTP is decided.
    /// </summary>
    public Task<Uri> PingAsync(string registry, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        var context = new RequestContext("ping /v2/", registry, access);
        return ExecuteAsync(context, bounded: true, async token =>
        {
            var baseUri = await BaseUriAsync(registry, access, token).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v2/"));
            using var response = await SendAsync(Transport(registry, access).Plain, request, token).ConfigureAwait(false);
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Unauthorized))
            {
                throw await ErrorAsync(response, context, token).ConfigureAwait(false);
            }

            return baseUri;
        }, cancellationToken);
    }

    /// <summary>
    /// Fetches a manifest or index by tag or digest. At most 4 MiB are read; the bytes are kept exactly; the digest is
    /// checked against the reference's digest and the registry's <c>Docker-Content-Digest</c> when either is present.
    /// </summary>
    public Task<ManifestResponse> GetManifestAsync(ImageReference reference, CancellationToken cancellationToken = default) =>
        GetManifestAsync(reference, RegistryAccess.Pull, cancellationToken);

    /// <summary>As <see cref="GetManifestAsync(ImageReference, CancellationToken)"/>, with the access (and so the settings) to use.</summary>
    public Task<ManifestResponse> GetManifestAsync(ImageReference reference, RegistryAccess access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var context = new RequestContext("get manifest " + reference, reference.Registry, access) { ManifestReference = reference.ToString() };
        return ExecuteAsync(context, bounded: true, async token =>
        {
            using var response = await SendManifestRequestAsync(HttpMethod.Get, reference, access, context, token).ConfigureAwait(false);
            var bytes = await ManifestResponses.ReadManifestAsync(response, reference, token).ConfigureAwait(false);
            var mediaType = ManifestResponses.ManifestMediaType(response, bytes, reference);
            var digest = ManifestResponses.VerifyManifestDigest(response, bytes, reference);
            return new ManifestResponse(reference, mediaType, bytes, digest);
        }, cancellationToken);
    }

    /// <summary>
    /// Asks for a manifest's descriptor without its body; null when the registry has no such manifest. When the
    /// registry does not say the digest, the manifest is fetched to compute it.
    /// </summary>
    public async Task<Descriptor?> HeadManifestAsync(ImageReference reference, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var context = new RequestContext("check manifest " + reference, reference.Registry, access);
        var head = await ExecuteAsync(context, bounded: true, async token =>
        {
            using var response = await SendManifestRequestAsync(HttpMethod.Head, reference, access, context, token, allowNotFound: true).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (Found: false, Descriptor: (Descriptor?)null);
            }

            var type = response.Content.Headers.ContentType?.MediaType;
            var size = response.Content.Headers.ContentLength;
            if (type is null || size is null || !ManifestResponses.TryGetHeaderDigest(response, out var digest))
            {
                return (Found: true, Descriptor: null);
            }

            return (Found: true, Descriptor: new Descriptor { MediaType = new MediaType(type), Digest = digest, Size = size.Value });
        }, cancellationToken).ConfigureAwait(false);

        if (!head.Found)
        {
            return null;
        }

        return head.Descriptor ?? (await GetManifestAsync(reference, access, cancellationToken).ConfigureAwait(false)).ToDescriptor();
    }

    /// <summary>
    /// Uploads a manifest or index under the reference's tag (or its digest when it has no tag), with
    /// <paramref name="mediaType"/> as <c>Content-Type</c>. Every blob and manifest it refers to must be in the
    /// repository already. Returns the digest of <paramref name="manifest"/>.
    /// </summary>
    public async Task<Digest> PutManifestAsync(ImageReference reference, ReadOnlyMemory<byte> manifest, MediaType mediaType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var digest = Digest.Compute(manifest.Span);
        var identifier = reference.Tag ?? reference.Digest?.ToString() ?? digest.ToString();
        var context = new RequestContext("push manifest " + reference, reference.Registry, RegistryAccess.Push);
        await ExecuteAsync(context, bounded: true, async token =>
        {
            var uri = await RepositoryUriAsync(reference.Registry, reference.Repository, RegistryAccess.Push, "manifests/" + identifier, token).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ReadOnlyMemoryContent(manifest) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType.Value);
            AuthenticatingHandler.SetScopes(request, RegistryScope.RepositoryPush(reference.Repository));
            using var response = await SendAsync(Transport(reference.Registry, RegistryAccess.Push).Authenticated, request, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, context, token).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        return digest;
    }

    /// <summary>Deletes a manifest by digest (the registry must allow deletes).</summary>
    public Task DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var reference = $"{repository}@{digest}";
        var context = new RequestContext("delete manifest " + reference, repository.Registry, RegistryAccess.Push) { ManifestReference = reference };
        return ExecuteAsync(context, bounded: true, async token =>
        {
            var uri = await RepositoryUriAsync(repository.Registry, repository.Repository, RegistryAccess.Push, "manifests/" + digest, token).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Delete, uri);
            AuthenticatingHandler.SetScopes(request, new RegistryScope("repository", repository.Repository, ["delete"]));
            using var response = await SendAsync(Transport(repository.Registry, RegistryAccess.Push).Authenticated, request, token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, context, token).ConfigureAwait(false);
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>The size of a blob the repository has (-1 when the registry does not say), or null when it has none with that digest.</summary>
    public Task<long?> HeadBlobAsync(RepositoryName repository, Digest digest, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var context = new RequestContext($"check blob {digest} in {repository}", repository.Registry, access);
        return ExecuteAsync(context, bounded: true, async token =>
        {
            var uri = await RepositoryUriAsync(repository.Registry, repository.Repository, access, "blobs/" + digest, token).ConfigureAwait(false);
            using var response = await SendFollowingRedirectsAsync(HttpMethod.Head, uri, repository, access, context, token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return (long?)null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, context, token).ConfigureAwait(false);
            }

            return response.Content.Headers.ContentLength ?? -1;
        }, cancellationToken);
    }

    /// <summary>
    /// Opens a blob for reading. The bytes are streamed, never buffered whole, and checked as they pass: more than
    /// <see cref="Descriptor.Size"/> bytes fail at once, and the end of the stream fails unless size and digest match.
    /// Redirects (to storage back ends) are followed without the registry's credentials when they leave its host.
    /// </summary>
    public async Task<Stream> OpenBlobAsync(RepositoryName repository, Descriptor blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(blob);
        var context = new RequestContext($"get blob {blob.Digest} from {repository}", repository.Registry, RegistryAccess.Pull)
        {
            BlobDigest = blob.Digest.ToString(),
            Repository = repository.ToString(),
        };
        // Bounded until the headers arrive; the body then streams for as long as it takes, under the caller's token.
        var response = await ExecuteAsync(context, bounded: true, async token =>
        {
            var uri = await RepositoryUriAsync(repository.Registry, repository.Repository, RegistryAccess.Pull, "blobs/" + blob.Digest, token).ConfigureAwait(false);
            var answer = await SendFollowingRedirectsAsync(HttpMethod.Get, uri, repository, RegistryAccess.Pull, context, token).ConfigureAwait(false);
            if (!answer.IsSuccessStatusCode)
            {
                using (answer)
                {
                    throw await ErrorAsync(answer, context, token).ConfigureAwait(false);
                }
            }

            return answer;
        }, cancellationToken).ConfigureAwait(false);

        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var guarded = new ResponseBodyStream(response, body, blob, repository, Options.TransferStallTimeout);
            return new DigestVerifyingStream(guarded, blob);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Task<bool> TryMountBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken = default) =>
        _uploads.TryMountBlobAsync(repository, digest, source, cancellationToken);

    /// <inheritdoc />
    public Task<BlobPushOutcome> PushBlobAsync(
        RepositoryName repository,
        Descriptor blob,
        Func<CancellationToken, Task<Stream>> openContent,
        RepositoryName? mountFrom = null,
        CancellationToken cancellationToken = default) =>
        _uploads.PushBlobAsync(repository, blob, openContent, mountFrom, cancellationToken);

    /// <inheritdoc />
    public Task UploadBlobAsync(RepositoryName repository, Descriptor blob, Func<CancellationToken, Task<Stream>> openContent, CancellationToken cancellationToken = default) =>
        _uploads.UploadBlobAsync(repository, blob, openContent, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var transport in _transports.Values.Where(t => t.IsValueCreated))
        {
            transport.Value.Dispose();
        }

        if (_foreign.IsValueCreated)
        {
            _foreign.Value.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendManifestRequestAsync(HttpMethod method, ImageReference reference, RegistryAccess access, RequestContext context, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        var identifier = reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag;
        var uri = await RepositoryUriAsync(reference.Registry, reference.Repository, access, "manifests/" + identifier, cancellationToken).ConfigureAwait(false);
        using var request = new HttpRequestMessage(method, uri);
        foreach (var type in ManifestAccept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        AuthenticatingHandler.SetScopes(request, access == RegistryAccess.Push ? RegistryScope.RepositoryPush(reference.Repository) : RegistryScope.RepositoryPull(reference.Repository));
        var response = await SendAsync(Transport(reference.Registry, access).Authenticated, request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
        {
            return response;
        }

        using (response)
        {
            throw await ErrorAsync(response, context, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpMethod method, Uri uri, RepositoryName repository, RegistryAccess access, RequestContext context, CancellationToken cancellationToken)
    {
        var transport = Transport(repository.Registry, access);
        var current = uri;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(method, current);
            // Only the registry's own host goes through the handshake; any other host gets a request that never
            // carried the registry's credentials or tokens.
            var sameHost = string.Equals(current.Authority, uri.Authority, StringComparison.OrdinalIgnoreCase) && current.Scheme == uri.Scheme;
            if (sameHost)
            {
                AuthenticatingHandler.SetScopes(request, access == RegistryAccess.Push ? RegistryScope.RepositoryPush(repository.Repository) : RegistryScope.RepositoryPull(repository.Repository));
            }

            var response = await SendAsync(sameHost ? transport.Authenticated : _foreign.Value, request, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode) || response.Headers.Location is null)
            {
                return response;
            }

            var next = new Uri(current, response.Headers.Location);
            response.Dispose();
            current = next;
        }

        throw new RegistryException(
            DiagnosticCodes.TooManyRedirects,
            string.Format(CultureInfo.InvariantCulture, Strings.TooManyRedirects, context.Description, MaxRedirects, current.GetLeftPart(UriPartial.Path)));
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <inheritdoc />
    Task<T> IRegistryChannel.ExecuteAsync<T>(RequestContext context, bool bounded, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        ExecuteAsync(context, bounded, attempt, cancellationToken);

    /// <inheritdoc />
    Task<Uri> IRegistryChannel.RepositoryUriAsync(RepositoryName repository, RegistryAccess access, string path, CancellationToken cancellationToken) =>
        RepositoryUriAsync(repository.Registry, repository.Repository, access, path, cancellationToken);

    /// <inheritdoc />
    Task<HttpResponseMessage> IRegistryChannel.SendAuthenticatedAsync(string registry, RegistryAccess access, HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(Transport(registry, access).Authenticated, request, cancellationToken);

    /// <inheritdoc />
    Task<RegistryException> IRegistryChannel.ErrorAsync(HttpResponseMessage response, RequestContext context, CancellationToken cancellationToken) =>
        ErrorAsync(response, context, cancellationToken);

    private async Task<Uri> RepositoryUriAsync(string registry, string repository, RegistryAccess access, string path, CancellationToken cancellationToken)
    {
        var baseUri = await BaseUriAsync(registry, access, cancellationToken).ConfigureAwait(false);
        return new Uri(baseUri, "v2/" + repository + "/" + path);
    }

    private RegistryTransport Transport(string registry, RegistryAccess access) =>
        _transports.GetOrAdd((registry, access), key => new Lazy<RegistryTransport>(() => new RegistryTransport(key.Item1, key.Item2, Options, _keychain, _tokens, _wrap))).Value;

    private async Task<Uri> BaseUriAsync(string registry, RegistryAccess access, CancellationToken cancellationToken)
    {
        var lazy = _baseUris.GetOrAdd((registry, access), key => new Lazy<Task<Uri>>(() => ResolveSchemeAsync(key.Item1, key.Item2)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            _baseUris.TryRemove(new KeyValuePair<(string, RegistryAccess), Lazy<Task<Uri>>>((registry, access), lazy));
            throw;
        }
    }

    // HTTPS always, except for registries marked insecure: those are probed over HTTPS first and reached over plain
    // HTTP when that fails (what kaniko and go-containerregistry do), so an insecure mark never downgrades a registry
    // that does speak TLS.
    private async Task<Uri> ResolveSchemeAsync(string registry, RegistryAccess access)
    {
        var host = ApiHost(registry);
        var https = new Uri("https://" + host + "/");
        if (!Options.IsInsecure(registry, access))
        {
            return https;
        }

        using var timeout = new CancellationTokenSource(Options.ConnectTimeout);
        try
        {
            using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(https, "v2/"));
            using var response = await SendAsync(Transport(registry, access).Plain, probe, timeout.Token).ConfigureAwait(false);
            return https;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or OperationCanceledException)
        {
            return new Uri("http://" + host + "/");
        }
    }

    /// <summary>
    /// The host that serves a registry's API: Docker Hub's images are named <c>docker.io</c>, but
    /// <c>https://docker.io/v2/</c> redirects to the web site; its API is <c>registry-1.docker.io</c>, where docker
    /// and containerd send the requests too. Credentials stay keyed by the name (<see cref="RegistryHostNames"/>).
    /// </summary>
    internal static string ApiHost(string registry) =>
        string.Equals(registry, ImageReference.DockerHubRegistry, StringComparison.OrdinalIgnoreCase) ? DockerHubApiHost : registry;

    private const string DockerHubApiHost = "registry-1.docker.io";

    private async Task<HttpResponseMessage> SendAsync(HttpMessageInvoker invoker, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", Options.UserAgent);
        return await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private Task<RegistryException> ErrorAsync(HttpResponseMessage response, RequestContext context, CancellationToken cancellationToken) =>
        RegistryErrors.FromResponseAsync(response, context, _keychain.Description, cancellationToken);

    /// <summary>
    /// Runs one operation under the retry policy of its access. Each attempt gets the request timeout when
    /// <paramref name="bounded"/> (no large body), and its transport failures become <see cref="RegistryException"/>s.
    /// </summary>
    private async Task<T> ExecuteAsync<T>(RequestContext context, bool bounded, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var pipeline = context.Access == RegistryAccess.Push ? _pushPipeline : _pullPipeline;
        var attempts = 0;
        try
        {
            return await pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await AttemptAsync(context, bounded, attempt, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.IsTransient && attempts > 1 && e.Code != DiagnosticCodes.RegistryRetriesExhausted)
        {
            throw new RegistryException(
                DiagnosticCodes.RegistryRetriesExhausted,
                string.Format(CultureInfo.InvariantCulture, Strings.RegistryRetriesExhausted, context.Description, attempts, e.Detail),
                e.StatusCode, e.Errors, isTransient: true, e.RetryAfter, e);
        }
    }

    private async Task<T> AttemptAsync<T>(RequestContext context, bool bounded, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        using var timeout = bounded ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
        timeout?.CancelAfter(Options.RequestTimeout);
        try
        {
            return await attempt(timeout?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (FindKanikoError(e) is { } inner && e is not KanikoException)
        {
            // A check of our own (content that is not what it claims) failed while HttpClient was sending it.
            throw inner;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw RegistryErrors.Timeout(context, Options.RequestTimeout, e);
        }
        catch (HttpRequestException e)
        {
            throw RegistryErrors.FromTransport(e, context);
        }
        catch (IOException e)
        {
            throw RegistryErrors.FromTransport(e, context);
        }
        catch (SocketException e)
        {
            // Not an IOException: a socket call made outside a stream (a reset while a connection is set up).
            throw RegistryErrors.FromTransport(e, context);
        }
    }

    private static KanikoException? FindKaniko(Exception? error) => error switch
    {
        null => null,
        KanikoException kaniko => kaniko,
        _ => FindKaniko(error.InnerException),
    };

    private static KanikoException? FindKanikoError(Exception error) => error is KanikoException ? null : FindKaniko(error.InnerException);

    private ResiliencePipeline BuildPipeline(int retries)
    {
        if (retries == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.RetryBaseDelay,
                MaxDelay = Options.MaxRetryDelay,
                // An operation nested in another (starting an upload inside an upload attempt) has used its own retries.
                ShouldHandle = new PredicateBuilder().Handle<RegistryException>(e => e.IsTransient && e.Code != DiagnosticCodes.RegistryRetriesExhausted),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is RegistryException { RetryAfter: { } after }
                        ? (TimeSpan?)(after > Options.MaxRetryDelay ? Options.MaxRetryDelay : after)
                        : null),
            })
            .Build();
    }
}
