using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Registry;

/// <summary>A gzip layer held in memory, made by the test.</summary>
internal sealed class InMemoryLayer(LayerBlob blob) : ILayer
{
    public Digest Digest { get; } = Digest.Parse(blob.Digest);

    public Digest DiffId { get; } = Digest.Parse(blob.DiffId);

    public long Size => blob.Compressed.LongLength;

    public MediaType MediaType => MediaType.OciLayerGzip;

    public int Opened;

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Opened);
        return Task.FromResult<Stream>(new MemoryStream(blob.Compressed, writable: false));
    }

    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new GZipStream(new MemoryStream(blob.Compressed, writable: false), CompressionMode.Decompress));
}

/// <summary>An image made by the test: layers, a config listing their diff ids, an OCI manifest.</summary>
internal sealed class TestImage : IImage
{
    private TestImage(RawJson<ImageManifest> manifest, RawJson<ImageConfigFile> config, IReadOnlyList<ILayer> layers)
    {
        Manifest = manifest;
        Config = config;
        Layers = layers;
    }

    public RawJson<ImageManifest> Manifest { get; }

    public RawJson<ImageConfigFile> Config { get; }

    public IReadOnlyList<ILayer> Layers { get; }

    public Platform Platform => Config.Value.Platform;

    /// <summary>One layer holding <c>/hello.txt</c> with <paramref name="text"/>.</summary>
    public static async Task<TestImage> CreateAsync(string text, string architecture = "amd64", CancellationToken cancellationToken = default)
    {
        var blob = await ReproducibleLayer.CreateAsync(
            [
                LayerEntrySpec.Directory("etc", (UnixFileMode)0x1ED),
                LayerEntrySpec.File("hello.txt", (UnixFileMode)0x1A4, Encoding.UTF8.GetBytes(text)),
            ],
            cancellationToken);
        var layer = new InMemoryLayer(blob);
        var config = RawJson<ImageConfigFile>.Serialize(new ImageConfigFile
        {
            Architecture = architecture,
            Os = "linux",
            Created = "2024-01-01T00:00:00Z",
            Config = new ContainerConfig { Cmd = ["cat", "/hello.txt"] },
            RootFs = new RootFs { Type = "layers", DiffIds = [layer.DiffId] },
        });
        var manifest = RawJson<ImageManifest>.Serialize(new ImageManifest
        {
            MediaType = MediaType.OciManifest,
            Config = config.ToDescriptor(MediaType.OciConfig),
            Layers = [new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size }],
        });
        return new TestImage(manifest, config, [layer]);
    }
}

/// <summary>An index of test images, each listed with its config's platform.</summary>
internal sealed class TestIndex(IReadOnlyList<TestImage> images) : IImageIndex
{
    public RawJson<ImageIndex> Index { get; } = RawJson<ImageIndex>.Serialize(new ImageIndex
    {
        MediaType = MediaType.OciIndex,
        Manifests = [.. images.Select(i => i.Manifest.ToDescriptor(MediaType.OciManifest) with { Platform = i.Platform })],
    });

    public IReadOnlyList<IImage> Manifests => images;
}

/// <summary>Records every request that reaches the socket handler: method, path and query.</summary>
internal sealed class RequestLog(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public ConcurrentQueue<(string Method, string PathAndQuery)> Requests { get; } = new();

    public int Count(string method, string fragment) =>
        Requests.Count(r => r.Method == method && r.PathAndQuery.Contains(fragment, StringComparison.Ordinal));

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue((request.Method.Method, request.RequestUri!.PathAndQuery));
        return base.SendAsync(request, cancellationToken);
    }
}
