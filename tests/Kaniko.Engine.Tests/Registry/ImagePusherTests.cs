using System.Text;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Registry;

/// <summary>The pusher's ordering and limits, against the in-memory registry behind the raw server.</summary>
public sealed class ImagePusherTests
{
    private static RegistryOptions OptionsFor(RawHttpServer server, int parallel = 4) => new()
    {
        InsecureRegistries = new HashSet<string> { server.Authority },
        RetryBaseDelay = TimeSpan.FromMilliseconds(5),
        MaxParallelUploads = parallel,
    };

    [Fact]
    public async Task Uploads_run_at_most_MaxParallelUploads_at_a_time_and_the_manifest_goes_last()
    {
        var registry = new InMemoryRegistry();
        var running = 0;
        var highest = 0;
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var server = new RawHttpServer(request =>
        {
            if (request.Method == "PUT" && request.Path.Contains("/blobs/uploads/", StringComparison.Ordinal))
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref highest, now);
                Thread.Sleep(100);
                Interlocked.Decrement(ref running);
            }

            order.Enqueue(request.Method + " " + request.Path);
            return registry.Handle(request);
        });
        using var client = new RegistryClient(OptionsFor(server, parallel: 2), new ChainedKeychain());
        var image = BytesImage.Create(Enumerable.Range(0, 6).Select(i => Encoding.UTF8.GetBytes("layer " + i)).ToArray());

        var result = await new ImagePusher(client).PushAsync(image, [ImageReference.Parse(server.Authority + "/app:1")], TestContext.Current.CancellationToken);

        Assert.Equal(7, result.Blobs.Count);
        Assert.InRange(highest, 1, 2);
        Assert.True(registry.HasManifest("app", "1"));
        Assert.EndsWith("/manifests/1", order.Last(), StringComparison.Ordinal);
        Assert.Equal(1, order.Count(r => r.StartsWith("PUT /v2/app/manifests/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_blobs_of_all_the_images_of_an_index_go_before_any_manifest_and_the_index_last()
    {
        var registry = new InMemoryRegistry();
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var server = new RawHttpServer(request =>
        {
            order.Enqueue(request.Method + " " + request.Path);
            return registry.Handle(request);
        });
        using var client = new RegistryClient(OptionsFor(server), new ChainedKeychain());
        var first = BytesImage.Create([Encoding.UTF8.GetBytes("first a"), Encoding.UTF8.GetBytes("first b")]);
        var second = BytesImage.Create([Encoding.UTF8.GetBytes("second")]);
        var index = new ImageIndexBuilder().Add(first).Add(second, Platform.Parse("linux/arm64")).Build();

        var result = await new ImagePusher(client).PushAsync(index, [ImageReference.Parse(server.Authority + "/app:1")], TestContext.Current.CancellationToken);

        Assert.Equal(5, result.Blobs.Count);
        var requests = order.ToList();
        var manifests = requests.FindAll(r => r.StartsWith("PUT /v2/app/manifests/", StringComparison.Ordinal));
        Assert.Equal(3, manifests.Count);
        Assert.Equal("PUT /v2/app/manifests/1", requests[^1]);
        var firstManifest = requests.FindIndex(r => r.StartsWith("PUT /v2/app/manifests/", StringComparison.Ordinal));
        Assert.DoesNotContain(requests.Skip(firstManifest), r => r.Contains("/blobs/", StringComparison.Ordinal));
        Assert.True(registry.HasManifest("app", "1"));
    }

    [Fact]
    public async Task A_failed_blob_means_no_manifest()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(request => request.Method == "POST"
            ? Respond.Error(403, "DENIED", "no push for you")
            : registry.Handle(request));
        using var client = new RegistryClient(OptionsFor(server), new ChainedKeychain());
        var image = BytesImage.Create([Encoding.UTF8.GetBytes("layer")]);

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImagePusher(client).PushAsync(image, [ImageReference.Parse(server.Authority + "/app:1")], TestContext.Current.CancellationToken));

        Assert.Equal(Kaniko.Engine.Diagnostics.DiagnosticCodes.RegistryAccessDenied, error.Code);
        Assert.Contains("may push to this repository", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("/manifests/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Foreign_layers_are_not_pushed()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = new RegistryClient(OptionsFor(server), new ChainedKeychain());
        var image = BytesImage.Create([Encoding.UTF8.GetBytes("ordinary"), Encoding.UTF8.GetBytes("windows base")], foreignIndex: 1);

        var result = await new ImagePusher(client).PushAsync(image, [ImageReference.Parse(server.Authority + "/app:1")], TestContext.Current.CancellationToken);

        Assert.Equal(2, result.Blobs.Count);
        Assert.False(registry.HasBlob("app", image.Layers[1].Digest));
        Assert.True(registry.HasBlob("app", image.Layers[0].Digest));
    }

    [Fact]
    public async Task A_destination_digest_must_be_the_manifest_digest()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = new RegistryClient(OptionsFor(server), new ChainedKeychain());
        var image = BytesImage.Create([Encoding.UTF8.GetBytes("layer")]);

        var error = await Assert.ThrowsAsync<Kaniko.Engine.Diagnostics.KanikoException>(() => new ImagePusher(client).PushAsync(
            image, [ImageReference.Parse($"{server.Authority}/app@{Digest.Compute("other"u8)}")], TestContext.Current.CancellationToken));

        Assert.Equal(Kaniko.Engine.Diagnostics.DiagnosticCodes.ManifestDigestMismatch, error.Code);
    }

    [Fact]
    public async Task Each_blob_and_manifest_is_reported_as_a_low_importance_message()
    {
        var registry = new InMemoryRegistry();
        await using var server = new RawHttpServer(registry.Handle);
        using var client = new RegistryClient(OptionsFor(server), new ChainedKeychain());
        var image = BytesImage.Create([Encoding.UTF8.GetBytes("layer")]);
        var sink = new CollectingSink();
        var target = ImageReference.Parse(server.Authority + "/app:1");

        await new ImagePusher(client, sink).PushAsync(image, [target], TestContext.Current.CancellationToken);
        await new ImagePusher(client, sink).PushAsync(image, [target], TestContext.Current.CancellationToken);
        await new ImageFetcher(client, sink).OpenAsync(target, cancellationToken: TestContext.Current.CancellationToken);

        var messages = sink.Events.OfType<Kaniko.Engine.Diagnostics.MessageEvent>().ToArray();
        Assert.All(messages, m => Assert.Equal(Kaniko.Engine.Diagnostics.MessageImportance.Low, m.Importance));
        Assert.Contains(messages, m => m.Text == $"blob {image.Layers[0].Digest} uploaded to {server.Authority}/app (5 bytes)");
        Assert.Contains(messages, m => m.Text == $"blob {image.Layers[0].Digest} already in {server.Authority}/app");
        Assert.Equal(2, messages.Count(m => m.Text == $"pushed {target} ({image.Manifest.Digest})"));
        Assert.Contains(messages, m => m.Text == $"opened {target} ({image.Manifest.Digest})");
    }

    private sealed class CollectingSink : Kaniko.Engine.Diagnostics.IBuildEventSink
    {
        public System.Collections.Concurrent.ConcurrentQueue<Kaniko.Engine.Diagnostics.BuildEvent> Events { get; } = new();

        public void Report(Kaniko.Engine.Diagnostics.BuildEvent buildEvent) => Events.Enqueue(buildEvent);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    /// <summary>An image whose "layers" are arbitrary bytes (the registry never looks inside).</summary>
    private sealed class BytesImage : IImage
    {
        public required RawJson<ImageManifest> Manifest { get; init; }

        public required RawJson<ImageConfigFile> Config { get; init; }

        public required IReadOnlyList<ILayer> Layers { get; init; }

        public static BytesImage Create(byte[][] layers, int foreignIndex = -1)
        {
            var list = layers.Select((bytes, i) => new BytesLayer(bytes, i == foreignIndex ? MediaType.OciLayerNondistributable : MediaType.OciLayer)).ToArray();
            var config = RawJson<ImageConfigFile>.Serialize(new ImageConfigFile { Architecture = "amd64", Os = "linux", RootFs = new RootFs { DiffIds = [.. list.Select(l => l.DiffId)] } });
            var manifest = RawJson<ImageManifest>.Serialize(new ImageManifest
            {
                MediaType = MediaType.OciManifest,
                Config = config.ToDescriptor(MediaType.OciConfig),
                Layers = [.. list.Select(l => new Descriptor { MediaType = l.MediaType, Digest = l.Digest, Size = l.Size })],
            });
            return new BytesImage { Manifest = manifest, Config = config, Layers = list };
        }
    }

    private sealed class BytesLayer(byte[] bytes, MediaType mediaType) : ILayer
    {
        public Digest Digest { get; } = Digest.Compute(bytes);

        public Digest DiffId => Digest;

        public long Size => bytes.Length;

        public MediaType MediaType => mediaType;

        public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));

        public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => OpenCompressedAsync(cancellationToken);
    }
}
