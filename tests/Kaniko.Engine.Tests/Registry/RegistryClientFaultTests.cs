using System.Diagnostics;
using System.Net;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>
/// Faults a real registry cannot be made to show on demand, played by a raw HTTP server on 127.0.0.1: resets,
/// 5xx and 429 answers, truncated or wrong bodies, lying headers, redirects to other hosts.
/// </summary>
public sealed class RegistryClientFaultTests
{
    private const string Repository = "team/app";

    private static RegistryOptions OptionsFor(params RawHttpServer[] servers) => new()
    {
        InsecureRegistries = servers.Select(s => s.Authority).ToHashSet(StringComparer.OrdinalIgnoreCase),
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = TimeSpan.FromSeconds(5),
        PullRetries = 3,
        PushRetries = 3,
    };

    private static RegistryClient Client(RegistryOptions options, IKeychain? keychain = null) => new(options, keychain ?? new ChainedKeychain());

    private static ImageReference Ref(RawHttpServer server, string tagOrDigest = ":1") => ImageReference.Parse($"{server.Authority}/{Repository}{tagOrDigest}");

    /// <summary>Answers the first <paramref name="count"/> manifest requests with <paramref name="fault"/>, then lets the registry answer.</summary>
    private static Func<ServerRequest, ServerAction> FirstFaults(InMemoryRegistry registry, string pathFragment, int count, Func<ServerAction> fault)
    {
        var remaining = count;
        return request => request.Path.Contains(pathFragment, StringComparison.Ordinal) && Interlocked.Decrement(ref remaining) >= 0
            ? fault()
            : registry.Handle(request);
    }

    [Fact]
    public async Task A_connection_reset_is_retried()
    {
        var registry = new InMemoryRegistry();
        var (digest, _, _) = registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(FirstFaults(registry, "/manifests/", 1, () => new ResetConnection()));
        using var client = Client(OptionsFor(server));

        var manifest = await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        Assert.Equal(digest, manifest.Digest);
        Assert.Equal(2, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task A_503_is_retried()
    {
        var registry = new InMemoryRegistry();
        var (digest, _, _) = registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(FirstFaults(registry, "/manifests/", 2, () => Respond.Error(503, "UNAVAILABLE", "try later")));
        using var client = Client(OptionsFor(server));

        var manifest = await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        Assert.Equal(digest, manifest.Digest);
        Assert.Equal(3, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task A_429_waits_as_long_as_Retry_After_says()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(FirstFaults(registry, "/manifests/", 1, () => Respond.Error(429, "TOOMANYREQUESTS", "slow down", ("Retry-After", "1"))));
        using var client = Client(OptionsFor(server));

        var clock = Stopwatch.StartNew();
        await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        // The base delay is 5 ms: only Retry-After explains a wait of about a second.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        Assert.Equal(2, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task Retry_After_as_an_HTTP_date_is_read()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        var date = DateTimeOffset.UtcNow.AddSeconds(2).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        await using var server = new RawHttpServer(FirstFaults(registry, "/manifests/", 1, () => Respond.Error(503, "UNAVAILABLE", "maintenance", ("Retry-After", date))));
        using var client = Client(OptionsFor(server));

        var clock = Stopwatch.StartNew();
        await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(500), $"waited only {clock.Elapsed}");
    }

    [Fact]
    public async Task Exhausted_retries_give_a_clear_error()
    {
        await using var server = new RawHttpServer(request => request.Path == "/v2/" ? Respond.Json(200, "{}") : Respond.Error(503, "UNAVAILABLE", "down for maintenance"));
        using var client = Client(OptionsFor(server) with { PullRetries = 2 });

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryRetriesExhausted, error.Code);
        Assert.True(error.IsTransient);
        Assert.Equal(3, server.CountRequests("GET", "/manifests/"));
        Assert.Contains("after 3 attempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("UNAVAILABLE: down for maintenance", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.Authority, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_blob_body_fails_the_read()
    {
        var content = InMemoryRegistry.RandomBytes(4096);
        var digest = Digest.Compute(content);
        await using var server = new RawHttpServer(request => request.Path.Contains("/blobs/", StringComparison.Ordinal)
            ? new Respond(200, content[..1000], DeclaredLength: content.Length)
            : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server));

        await using var stream = await client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = digest, Size = content.Length }, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<RegistryException>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.BlobTransferInterrupted, error.Code);
        Assert.Contains("stopped after 1000 of 4096 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains(digest.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_with_the_wrong_digest_fails_at_its_end()
    {
        var content = InMemoryRegistry.RandomBytes(2048);
        var claimed = Digest.Compute(Encoding.UTF8.GetBytes("something else"));
        await using var server = new RawHttpServer(request => request.Path.Contains("/blobs/", StringComparison.Ordinal)
            ? new Respond(200, content)
            : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server));

        await using var stream = await client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = claimed, Size = content.Length }, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<KanikoException>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
    }

    [Fact]
    public async Task A_blob_longer_than_its_descriptor_fails_before_the_end()
    {
        var content = InMemoryRegistry.RandomBytes(2048);
        await using var server = new RawHttpServer(request => request.Path.Contains("/blobs/", StringComparison.Ordinal) ? new Respond(200, content) : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server));

        await using var stream = await client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute(content.AsSpan(0, 100)), Size = 100 }, TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<KanikoException>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ContentSizeMismatch, error.Code);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_oversized_manifest_is_refused(bool announced)
    {
        var huge = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"pad\":\"" + new string('x', RegistryOptions.MaxManifestSize) + "\"}");
        await using var server = new RawHttpServer(request => request.Path.Contains("/manifests/", StringComparison.Ordinal)
            ? new Respond(200, huge, new Dictionary<string, string> { ["Content-Type"] = MediaType.OciManifest.Value }, announced ? null : huge.Length)
            : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ManifestTooLarge, error.Code);
        Assert.Contains("4194304 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task A_manifest_whose_Docker_Content_Digest_differs_is_refused()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        var lie = Digest.Compute("other"u8).ToString();
        await using var server = new RawHttpServer(request =>
        {
            var answer = registry.Handle(request);
            return request.Path.Contains("/manifests/", StringComparison.Ordinal) && answer is Respond r
                ? r with { Headers = new Dictionary<string, string>(r.Headers!) { ["Docker-Content-Digest"] = lie } }
                : answer;
        });
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ManifestDigestMismatch, error.Code);
        Assert.Contains("Docker-Content-Digest", error.Message, StringComparison.Ordinal);
        Assert.Contains(lie, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_pulled_by_digest_must_hash_to_it()
    {
        var registry = new InMemoryRegistry();
        var (_, bytes, _) = registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        var pinned = Digest.Compute("not this manifest"u8);
        // Served under the pinned digest, without a header to give it away.
        await using var server = new RawHttpServer(request => request.Path.EndsWith("/manifests/" + pinned, StringComparison.Ordinal)
            ? new Respond(200, bytes, new Dictionary<string, string> { ["Content-Type"] = MediaType.OciManifest.Value })
            : registry.Handle(request));
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server, "@" + pinned), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ManifestDigestMismatch, error.Code);
        Assert.Contains("the digest the reference pins", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_another_host_does_not_carry_the_Authorization_header()
    {
        var content = InMemoryRegistry.RandomBytes(3000);
        var digest = Digest.Compute(content);
        await using var storage = new RawHttpServer(request => new Respond(200, content));
        await using var registry = new RawHttpServer(request =>
        {
            if (request.Header("Authorization") is null)
            {
                return Respond.Error(401, "UNAUTHORIZED", "authentication required", ("WWW-Authenticate", "Basic realm=\"test\""));
            }

            return request.Path.Contains("/blobs/", StringComparison.Ordinal)
                ? new Respond(307, [], new Dictionary<string, string> { ["Location"] = $"http://{storage.Authority}/storage/{digest}?signature=abc" })
                : Respond.Json(200, "{}");
        });
        using var client = Client(OptionsFor(registry, storage), new StaticKeychain(registry.Authority, "user", "secret"));

        await using var stream = await client.OpenBlobAsync(new RepositoryName(registry.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = digest, Size = content.Length }, TestContext.Current.CancellationToken);
        await stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);

        Assert.True(((DigestVerifyingStream)stream).IsVerified);
        Assert.Contains(registry.Requests, r => r.Path.Contains("/blobs/", StringComparison.Ordinal) && r.Header("Authorization") is not null);
        var redirected = Assert.Single(storage.Requests);
        Assert.Null(redirected.Header("Authorization"));
        Assert.Equal($"/storage/{digest}?signature=abc", redirected.Target);
    }

    [Fact]
    public async Task Too_many_redirects_stop()
    {
        await using var server = new RawHttpServer(request => request.Path == "/v2/"
            ? Respond.Json(200, "{}")
            : new Respond(302, [], new Dictionary<string, string> { ["Location"] = request.Path + "x" }));
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), Descriptor.Empty, TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.TooManyRedirects, error.Code);
    }

    [Fact]
    public async Task A_403_names_the_credential_source_and_docker_login()
    {
        await using var server = new RawHttpServer(request => request.Path == "/v2/" ? Respond.Json(200, "{}") : Respond.Error(403, "DENIED", "requested access to the resource is denied"));
        using var client = Client(OptionsFor(server), new StaticKeychain("elsewhere", "u", "p"));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryAccessDenied, error.Code);
        Assert.False(error.IsTransient);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        var entry = Assert.Single(error.Errors);
        Assert.Equal(("DENIED", "requested access to the resource is denied", """{"hint":1}"""), (entry.Code, entry.Message, entry.Detail));
        Assert.Contains(StaticKeychain.DescriptionText, error.Message, StringComparison.Ordinal);
        Assert.Contains("docker login " + server.Authority, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task A_missing_tag_says_manifest_unknown_with_the_reference()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server, ":nope"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ManifestUnknown, error.Code);
        Assert.StartsWith($"manifest unknown: {server.Authority}/{Repository}:nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_unreachable()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var registryHost = $"127.0.0.1:{port}";
        using var client = new RegistryClient(new RegistryOptions { InsecureRegistries = new HashSet<string> { registryHost }, PullRetries = 0 }, new ChainedKeychain());

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse(registryHost + "/app:1"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.Contains("cannot reach registry " + registryHost, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_not_marked_insecure_is_never_spoken_to_in_plain_http()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor() with { PullRetries = 0 });

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Requests_carry_the_kaniko_dotnet_user_agent()
    {
        var registry = new InMemoryRegistry();
        registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor(server));

        await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        Assert.All(server.Requests, r => Assert.StartsWith("kaniko-dotnet/", r.Header("User-Agent"), StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r.Header("Accept")?.Contains(MediaType.DockerManifestList.Value, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_refused_monolithic_upload_falls_back_to_chunks()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(request => request.Method == "PUT" && request.Body.Length > 0 && request.Path.Contains("/blobs/uploads/", StringComparison.Ordinal)
            ? Respond.Error(413, "SIZE_INVALID", "request body too large")
            : registry.Handle(request));
        using var client = Client(OptionsFor(server));
        var content = InMemoryRegistry.RandomBytes(10_000);
        var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute(content), Size = content.Length };

        var outcome = await client.PushBlobAsync(new RepositoryName(server.Authority, Repository), blob, _ => Task.FromResult<Stream>(new MemoryStream(content)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(BlobPushOutcome.Uploaded, outcome);
        Assert.True(registry.HasBlob(Repository, blob.Digest));
        Assert.Equal(1, server.CountRequests("PATCH", "/blobs/uploads/"));
    }

    [Fact]
    public async Task A_chunked_upload_sends_ranges_then_the_digest()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor(server) with { UploadChunkSize = 4000 });
        var content = InMemoryRegistry.RandomBytes(10_000);
        var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute(content), Size = content.Length };

        await client.UploadBlobAsync(new RepositoryName(server.Authority, Repository), blob, _ => Task.FromResult<Stream>(new MemoryStream(content)), TestContext.Current.CancellationToken);

        var ranges = server.Requests.Where(r => r.Method == "PATCH").Select(r => r.Header("Content-Range") ?? "").ToArray();
        Assert.Equal(["0-3999", "4000-7999", "8000-9999"], ranges);
        Assert.True(registry.HasBlob(Repository, blob.Digest));
        var finish = Assert.Single(server.Requests, r => r.Method == "PUT");
        Assert.Contains("_state=y&digest=sha256%3A", finish.Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_upload_is_retried_from_a_reopened_stream()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(FirstFaults(registry, "/blobs/uploads/", 2, () => Respond.Error(503, "UNAVAILABLE", "busy")));
        using var client = Client(OptionsFor(server));
        var content = InMemoryRegistry.RandomBytes(5000);
        var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute(content), Size = content.Length };
        var opened = 0;

        await client.UploadBlobAsync(new RepositoryName(server.Authority, Repository), blob, _ =>
        {
            Interlocked.Increment(ref opened);
            return Task.FromResult<Stream>(new MemoryStream(content));
        }, TestContext.Current.CancellationToken);

        Assert.True(registry.HasBlob(Repository, blob.Digest));
        Assert.True(opened >= 1);
    }

    [Fact]
    public async Task A_reset_during_a_monolithic_upload_reopens_the_source()
    {
        var registry = new InMemoryRegistry();
        var resets = 1;
        await using var server = new RawHttpServer(request => request.Method == "PUT" && Interlocked.Decrement(ref resets) >= 0
            ? new ResetConnection()
            : registry.Handle(request));
        using var client = Client(OptionsFor(server));
        var content = InMemoryRegistry.RandomBytes(5000);
        var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute(content), Size = content.Length };
        var opened = 0;

        await client.UploadBlobAsync(new RepositoryName(server.Authority, Repository), blob, _ =>
        {
            Interlocked.Increment(ref opened);
            return Task.FromResult<Stream>(new MemoryStream(content));
        }, TestContext.Current.CancellationToken);

        Assert.Equal(2, opened);
        Assert.Equal(2, server.CountRequests("POST", "/blobs/uploads/"));
        Assert.True(registry.HasBlob(Repository, blob.Digest));
    }

    [Fact]
    public async Task Content_that_is_not_what_the_descriptor_says_is_not_uploaded()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor(server));
        var content = InMemoryRegistry.RandomBytes(5000);
        var blob = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Compute("other"u8), Size = content.Length };

        var error = await Assert.ThrowsAsync<KanikoException>(() => client.UploadBlobAsync(new RepositoryName(server.Authority, Repository), blob, _ => Task.FromResult<Stream>(new MemoryStream(content)), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
        Assert.Equal(1, server.CountRequests("POST", "/blobs/uploads/"));
    }

    [Fact]
    public async Task Docker_Hub_references_try_the_mirrors_in_order()
    {
        var registry = new InMemoryRegistry();
        var (digest, _, _) = registry.AddImage("proxy/library/busybox", "1.36", Encoding.UTF8.GetBytes("layer"));
        await using var down = new RawHttpServer(_ => new ResetConnection());
        await using var mirror = new RawHttpServer(registry.Handle);
        var options = OptionsFor(down, mirror) with { RegistryMirrors = [down.Authority, mirror.Authority + "/proxy"], PullRetries = 0 };
        using var client = Client(options);

        var image = await new ImageFetcher(client).OpenAsync(ImageReference.Parse("busybox:1.36"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(digest, image.Digest);
        Assert.Equal(new RepositoryName(mirror.Authority, "proxy/library/busybox"), image.Repository);
        Assert.Equal("docker.io/library/busybox:1.36", image.Reference.ToString());
        Assert.NotEmpty(down.Requests);
    }

    [Fact]
    public async Task A_manifest_body_cut_short_is_fetched_again()
    {
        var registry = new InMemoryRegistry();
        var (digest, bytes, _) = registry.AddImage(Repository, "1", Encoding.UTF8.GetBytes("layer"));
        await using var server = new RawHttpServer(FirstFaults(registry, "/manifests/", 1,
            () => new Respond(200, bytes[..10], new Dictionary<string, string> { ["Content-Type"] = MediaType.OciManifest.Value }, bytes.Length)));
        using var client = Client(OptionsFor(server));

        var manifest = await client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken);

        Assert.Equal(digest, manifest.Digest);
        Assert.Equal(bytes, manifest.Bytes.ToArray());
        Assert.Equal(2, server.CountRequests("GET", "/manifests/"));
    }

    [Fact]
    public async Task A_401_without_a_challenge_says_where_credentials_were_looked_up()
    {
        await using var server = new RawHttpServer(request => request.Path == "/v2/" ? Respond.Json(200, "{}") : Respond.Error(401, "UNAUTHORIZED", "who are you"));
        using var client = Client(OptionsFor(server), new StaticKeychain("elsewhere", "u", "p"));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryAccessDenied, error.Code);
        Assert.Contains("401 unauthorized", error.Message, StringComparison.Ordinal);
        Assert.Contains(StaticKeychain.DescriptionText, error.Message, StringComparison.Ordinal);
        Assert.Contains("docker login " + server.Authority, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_blob_says_blob_unknown()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = Client(OptionsFor(server));
        var digest = Digest.Compute("absent"u8);

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = digest, Size = 6 }, TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.BlobUnknown, error.Code);
        Assert.StartsWith($"blob unknown: {digest} in {server.Authority}/{Repository}", error.Message, StringComparison.Ordinal);
        Assert.Null(await client.HeadBlobAsync(new RepositoryName(server.Authority, Repository), digest, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_insecure_registry_without_TLS_is_reached_over_plain_http()
    {
        await using var server = new RawHttpServer(new InMemoryRegistry().Handle);
        using var client = Client(OptionsFor(server));

        var baseUri = await client.PingAsync(server.Authority, RegistryAccess.Pull, TestContext.Current.CancellationToken);

        Assert.Equal($"http://{server.Authority}/", baseUri.ToString());
    }

    [Fact]
    public async Task A_schema_1_manifest_is_refused_by_media_type()
    {
        await using var server = new RawHttpServer(request => request.Path.Contains("/manifests/", StringComparison.Ordinal)
            ? new Respond(200, "{\"schemaVersion\":1}"u8.ToArray(), new Dictionary<string, string> { ["Content-Type"] = "application/vnd.docker.distribution.manifest.v1+prettyjws" })
            : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server));

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.ManifestMediaTypeUnsupported, error.Code);
        Assert.Contains("manifest.v1+prettyjws", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_host_is_unreachable_at_once()
    {
        // The .invalid top-level domain never resolves (RFC 2606).
        using var client = Client(new RegistryOptions { PullRetries = 3, RetryBaseDelay = TimeSpan.FromSeconds(5) });

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(ImageReference.Parse("kaniko-test.invalid/app:1"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryUnreachable, error.Code);
        Assert.False(error.IsTransient);
        Assert.Contains("cannot reach registry kaniko-test.invalid", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "a name that does not resolve is not retried");
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_in_time_times_out()
    {
        await using var server = new RawHttpServer(request =>
        {
            if (request.Path.Contains("/manifests/", StringComparison.Ordinal))
            {
                Thread.Sleep(1500);
            }

            return Respond.Json(200, "{}");
        });
        using var client = Client(OptionsFor(server) with { RequestTimeout = TimeSpan.FromMilliseconds(300), PullRetries = 0 });

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(Ref(server), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.RegistryTimeout, error.Code);
        Assert.True(error.IsTransient);
        Assert.Contains("did not answer within 0.3 seconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_slower_than_the_request_timeout_still_streams_to_its_end()
    {
        var content = InMemoryRegistry.RandomBytes(64 * 1024);
        var digest = Digest.Compute(content);
        await using var server = new RawHttpServer(request => request.Path.Contains("/blobs/", StringComparison.Ordinal) ? new Respond(200, content) : Respond.Json(200, "{}"));
        using var client = Client(OptionsFor(server) with { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        await using var stream = await client.OpenBlobAsync(new RepositoryName(server.Authority, Repository), new Descriptor { MediaType = MediaType.OctetStream, Digest = digest, Size = content.Length }, TestContext.Current.CancellationToken);
        await Task.Delay(500, TestContext.Current.CancellationToken);
        await stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken);

        Assert.True(((DigestVerifyingStream)stream).IsVerified);
    }

    [Fact]
    public void Registry_certificate_flags_are_read()
    {
        var parsed = RegistryOptions.ParseRegistryCertificates(["my.registry:5000=/certs/ca.pem", "other=ca.crt"]);
        Assert.Equal("/certs/ca.pem", parsed["my.registry:5000"]);
        var options = new RegistryOptions { RegistryCertificates = parsed, InsecureRegistries = new HashSet<string> { "docker.io" }, InsecurePull = false };
        Assert.Equal("ca.crt", options.CertificateFor("other"));
        Assert.True(options.IsInsecure("index.docker.io", RegistryAccess.Push));
        Assert.False(options.IsInsecure("other", RegistryAccess.Pull));
        Assert.True((options with { InsecurePull = true }).IsInsecure("other", RegistryAccess.Pull));

        var error = Assert.Throws<KanikoException>(() => RegistryOptions.ParseRegistryCertificates(["no-equals"]));
        Assert.Equal(DiagnosticCodes.InvalidRegistryOption, error.Code);
    }

    /// <summary>A keychain with one Basic credential for one registry.</summary>
    private sealed class StaticKeychain(string registry, string username, string password) : IKeychain
    {
        public const string DescriptionText = "the test keychain";

        public string Description => DescriptionText;

        public ValueTask<RegistryCredential> ResolveAsync(string registryHost, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(registryHost == registry ? RegistryCredential.FromPassword(username, password, DescriptionText) : RegistryCredential.Anonymous);
    }
}
