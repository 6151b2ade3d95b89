using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;
using Kaniko.Testing;
using RegistryOptions = Kaniko.Engine.Registry.RegistryOptions;

namespace Kaniko.IntegrationTests.Registry;

/// <summary>
/// The registry client against Debian's distribution registry on 127.0.0.1, with skopeo and umoci as independent
/// judges of what it pushed.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class RegistryClientIntegrationTests(RegistryFixture registry)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private RegistryClient NewClient(out RequestLog log, int? chunkSize = null)
    {
        RequestLog? created = null;
        var client = new RegistryClient(
            new RegistryOptions
            {
                InsecureRegistries = new HashSet<string> { registry.Host },
                UploadChunkSize = chunkSize,
                RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            },
            new ChainedKeychain(),
            inner => created = new RequestLog(inner));
        // The wrapper runs when the registry's transport is first built: ping now so the log exists.
        client.PingAsync(registry.Host, RegistryAccess.Push, Cancellation).GetAwaiter().GetResult();
        log = created!;
        return client;
    }

    private ImageReference Ref(string repositoryAndTag) => ImageReference.Parse($"{registry.Host}/{repositoryAndTag}");

    private static string NewRepository(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    [Fact]
    public async Task Busybox_pushed_by_skopeo_pulls_by_tag_and_by_digest_with_verified_blobs()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        using var client = NewClient(out _);
        var fetcher = new ImageFetcher(client);

        var byTag = await fetcher.OpenAsync(ImageReference.Parse(pushed.Reference), cancellationToken: Cancellation);
        var byDigest = await fetcher.OpenAsync(ImageReference.Parse($"{registry.Host}/busybox@{pushed.Layout.ManifestDigest}"), cancellationToken: Cancellation);
        var dockerV2 = await client.GetManifestAsync(ImageReference.Parse(pushed.DockerV2Reference), Cancellation);

        Assert.Equal(pushed.Layout.ManifestDigest, byTag.Digest.ToString());
        Assert.Equal(byTag.Manifest.Bytes.ToArray(), byDigest.Manifest.Bytes.ToArray());
        Assert.Equal(MediaType.OciManifest, byTag.Descriptor.MediaType);
        Assert.Equal(MediaType.DockerManifest, dockerV2.MediaType);
        Assert.Equal("amd64", byTag.Config.Value.Architecture);
        Assert.Equal(pushed.Layout.DiffIds, byTag.Config.Value.RootFs.DiffIds.Select(d => d.ToString()));

        var layer = Assert.Single(byTag.Layers);
        await using (var compressed = await layer.OpenCompressedAsync(Cancellation))
        {
            await compressed.CopyToAsync(Stream.Null, Cancellation);
            Assert.True(((DigestVerifyingStream)compressed).IsVerified);
        }

        await using var tar = await layer.OpenUncompressedAsync(Cancellation);
        Assert.Equal(layer.DiffId, await Digest.ComputeAsync(tar, cancellationToken: Cancellation));
        Assert.Equal(pushed.Layout.LayerDigests[0], (await client.HeadBlobAsync(byTag.Repository, layer.Digest, cancellationToken: Cancellation)) is { } size && size == layer.Size ? layer.Digest.ToString() : "absent");
    }

    [Fact]
    public async Task A_pushed_image_is_read_back_by_skopeo_and_unpacked_by_umoci()
    {
        var umoci = TestRequirements.Executable("umoci");
        var skopeo = TestRequirements.Executable("skopeo");
        var image = await TestImage.CreateAsync("hello from kaniko-dotnet\n", cancellationToken: Cancellation);
        var target = Ref(NewRepository("pushed") + ":v1");
        using var client = NewClient(out _);

        var result = await new ImagePusher(client).PushAsync(image, [target], Cancellation);

        Assert.Equal(image.Manifest.Digest, result.Digest);
        Assert.All(result.Blobs, b => Assert.Equal(BlobPushOutcome.Uploaded, b.Outcome));
        using var inspect = await SkopeoAsync<JsonDocument>(["inspect", "--tls-verify=false", "docker://" + target]);
        Assert.Equal(image.Manifest.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Layers[0].Digest.ToString(), inspect.RootElement.GetProperty("Layers")[0].GetString());

        using var work = new TempDirectory();
        await ExternalTools.RunCheckedAsync(skopeo, ["--policy", BaseImages.SkopeoPolicyPath(), "copy", "--quiet", "--src-tls-verify=false", "docker://" + target, $"oci:{work.Combine("layout")}:v1"], cancellationToken: Cancellation);
        List<string> unpack = ["unpack", "--image", work.Combine("layout") + ":v1"];
        if (!Environment.IsPrivilegedProcess)
        {
            unpack.Add("--rootless");
        }

        unpack.Add(work.Combine("bundle"));
        await ExternalTools.RunCheckedAsync(umoci, unpack, cancellationToken: Cancellation);
        Assert.Equal("hello from kaniko-dotnet\n", await File.ReadAllTextAsync(work.Combine("bundle", "rootfs", "hello.txt"), Cancellation));
    }

    [Fact]
    public async Task One_push_puts_the_manifest_under_several_tags()
    {
        var image = await TestImage.CreateAsync("tags\n", cancellationToken: Cancellation);
        var repository = NewRepository("tags");
        using var client = NewClient(out var log);

        await new ImagePusher(client).PushAsync(image, [Ref(repository + ":a"), Ref(repository + ":b"), Ref(repository + ":c")], Cancellation);

        foreach (var tag in new[] { "a", "b", "c" })
        {
            var manifest = await client.GetManifestAsync(Ref(repository + ":" + tag), Cancellation);
            Assert.Equal(image.Manifest.Digest, manifest.Digest);
        }

        // Blobs went up once for the three tags.
        Assert.Equal(2, log.Count("POST", "/blobs/uploads/"));
    }

    [Fact]
    public async Task Pushing_to_two_repositories_uploads_once_and_mounts_into_the_second()
    {
        var image = await TestImage.CreateAsync("two repositories\n", cancellationToken: Cancellation);
        var first = Ref(NewRepository("first") + ":1");
        var second = Ref(NewRepository("second") + ":1");
        using var client = NewClient(out var log);

        var result = await new ImagePusher(client).PushAsync(image, [first, second], Cancellation);

        Assert.Equal(2, result.Blobs.Count(b => b.Repository == RepositoryName.From(first) && b.Outcome == BlobPushOutcome.Uploaded));
        Assert.Equal(2, result.Blobs.Count(b => b.Repository == RepositoryName.From(second) && b.Outcome == BlobPushOutcome.Mounted));
        Assert.Equal(1, ((InMemoryLayer)image.Layers[0]).Opened);
        Assert.Equal(image.Manifest.Digest, (await client.GetManifestAsync(second, Cancellation)).Digest);
    }

    [Fact]
    public async Task A_blob_the_repository_has_is_not_uploaded_again()
    {
        var image = await TestImage.CreateAsync("twice\n", cancellationToken: Cancellation);
        var target = Ref(NewRepository("again") + ":1");
        using var client = NewClient(out var log);
        var pusher = new ImagePusher(client);
        await pusher.PushAsync(image, [target], Cancellation);
        var uploadsBefore = log.Count("POST", "/blobs/uploads/");
        var opened = ((InMemoryLayer)image.Layers[0]).Opened;

        var second = await pusher.PushAsync(image, [target], Cancellation);

        Assert.All(second.Blobs, b => Assert.Equal(BlobPushOutcome.AlreadyPresent, b.Outcome));
        Assert.Equal(uploadsBefore, log.Count("POST", "/blobs/uploads/"));
        Assert.Equal(opened, ((InMemoryLayer)image.Layers[0]).Opened);
    }

    [Fact]
    public async Task Pushing_an_image_pulled_from_the_same_registry_mounts_its_blobs()
    {
        var source = Ref(NewRepository("mount-src") + ":1");
        var destination = Ref(NewRepository("mount-dst") + ":1");
        var image = await TestImage.CreateAsync("mount me\n", cancellationToken: Cancellation);
        using var client = NewClient(out var log);
        await new ImagePusher(client).PushAsync(image, [source], Cancellation);
        var remote = await new ImageFetcher(client).OpenAsync(source, cancellationToken: Cancellation);
        var before = log.Requests.Count;

        var result = await new ImagePusher(client).PushAsync(remote, [destination], Cancellation);

        var requests = log.Requests.Skip(before).ToArray();
        Assert.Equal(2, result.Blobs.Count);
        Assert.All(result.Blobs, b => Assert.Equal(BlobPushOutcome.Mounted, b.Outcome));
        Assert.Equal(2, requests.Count(r => r.Method == "POST" && r.PathAndQuery.Contains("?mount=sha256", StringComparison.Ordinal)));
        Assert.DoesNotContain(requests, r => r.Method is "PATCH" || (r.Method == "PUT" && r.PathAndQuery.Contains("/blobs/", StringComparison.Ordinal)));
        Assert.DoesNotContain(requests, r => r.Method == "GET" && r.PathAndQuery.Contains("/blobs/", StringComparison.Ordinal));
        Assert.Equal(image.Manifest.Digest, (await client.GetManifestAsync(destination, Cancellation)).Digest);
    }

    [Fact]
    public async Task Busybox_can_be_copied_to_another_repository_by_mounting()
    {
        var pushed = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        using var client = NewClient(out _);
        var busybox = await new ImageFetcher(client).OpenAsync(ImageReference.Parse(pushed.Reference), cancellationToken: Cancellation);

        var result = await new ImagePusher(client).PushAsync(busybox, [Ref(NewRepository("busybox-copy") + ":latest")], Cancellation);

        Assert.All(result.Blobs, b => Assert.Equal(BlobPushOutcome.Mounted, b.Outcome));
        Assert.Equal(pushed.Layout.ManifestDigest, result.Digest.ToString());
    }

    [Fact]
    public async Task A_chunked_upload_is_accepted_by_the_registry()
    {
        var image = await TestImage.CreateAsync(new string('x', 200_000) + Guid.NewGuid(), cancellationToken: Cancellation);
        var target = Ref(NewRepository("chunked") + ":1");
        using var client = NewClient(out var log, chunkSize: 64);

        await new ImagePusher(client).PushAsync(image, [target], Cancellation);

        Assert.True(log.Count("PATCH", "/blobs/uploads/") > 2);
        var remote = await new ImageFetcher(client).OpenAsync(target, cancellationToken: Cancellation);
        await using var tar = await remote.Layers[0].OpenUncompressedAsync(Cancellation);
        Assert.Equal(image.Layers[0].DiffId, await Digest.ComputeAsync(tar, cancellationToken: Cancellation));
    }

    [Fact]
    public async Task An_index_of_two_platforms_gives_each_platform_back()
    {
        var amd64 = await TestImage.CreateAsync("amd64\n", "amd64", Cancellation);
        var arm64 = await TestImage.CreateAsync("arm64\n", "arm64", Cancellation);
        var index = new TestIndex([amd64, arm64]);
        var target = Ref(NewRepository("multi") + ":1");
        using var client = NewClient(out _);

        var result = await new ImagePusher(client).PushAsync(index, [target], Cancellation);
        var fetcher = new ImageFetcher(client);

        Assert.Equal(index.Index.Digest, result.Digest);
        var pickedAmd64 = await fetcher.OpenAsync(target, Platform.Parse("linux/amd64"), Cancellation);
        var pickedArm64 = await fetcher.OpenAsync(target, Platform.Parse("linux/arm64/v8"), Cancellation);
        Assert.Equal(amd64.Manifest.Digest, pickedAmd64.Digest);
        Assert.Equal(arm64.Manifest.Digest, pickedArm64.Digest);
        Assert.Equal("arm64", pickedArm64.Descriptor.Platform?.Architecture);

        var missing = await Assert.ThrowsAsync<RegistryException>(() => fetcher.OpenAsync(target, Platform.Parse("linux/s390x"), Cancellation));
        Assert.Equal(DiagnosticCodes.PlatformNotFound, missing.Code);
        Assert.Contains("linux/s390x", missing.Message, StringComparison.Ordinal);
        Assert.Contains("it offers: linux/amd64, linux/arm64", missing.Message, StringComparison.Ordinal);

        var reopened = await fetcher.OpenIndexAsync(target, Cancellation);
        Assert.Equal(index.Index.Bytes.ToArray(), reopened.Index.Bytes.ToArray());
        Assert.Equal([amd64.Manifest.Digest, arm64.Manifest.Digest], reopened.Manifests.Select(m => m.Manifest.Digest));
        using var inspect = await SkopeoAsync<JsonDocument>(["inspect", "--tls-verify=false", "--raw", "docker://" + target]);
        Assert.Equal(2, inspect.RootElement.GetProperty("manifests").GetArrayLength());
    }

    [Fact]
    public async Task An_index_referring_to_an_absent_manifest_is_not_pushed()
    {
        var amd64 = await TestImage.CreateAsync("alone\n", "amd64", Cancellation);
        var arm64 = await TestImage.CreateAsync("never pushed\n", "arm64", Cancellation);
        var full = new TestIndex([amd64, arm64]);
        var partial = new PartialIndex(full.Index, [amd64]);
        var target = Ref(NewRepository("partial") + ":1");
        using var client = NewClient(out _);

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImagePusher(client).PushAsync(partial, [target], Cancellation));

        Assert.Equal(DiagnosticCodes.PushReferencesMissingContent, error.Code);
        Assert.Contains(arm64.Manifest.Digest.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Null(await client.HeadManifestAsync(target, cancellationToken: Cancellation));
    }

    [Fact]
    public async Task A_missing_tag_reports_manifest_unknown()
    {
        using var client = NewClient(out _);
        var reference = Ref("nothing-here:missing");

        var error = await Assert.ThrowsAsync<RegistryException>(() => new ImageFetcher(client).OpenAsync(reference, cancellationToken: Cancellation));

        Assert.Equal(DiagnosticCodes.ManifestUnknown, error.Code);
        Assert.StartsWith($"manifest unknown: {reference}", error.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.NotEmpty(error.Errors);
        Assert.Contains(error.Errors[0].Code, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_deleted_by_digest_is_gone()
    {
        var image = await TestImage.CreateAsync("delete me\n", cancellationToken: Cancellation);
        var target = Ref(NewRepository("delete") + ":1");
        using var client = NewClient(out _);
        await new ImagePusher(client).PushAsync(image, [target], Cancellation);
        var head = await client.HeadManifestAsync(target, cancellationToken: Cancellation);
        Assert.Equal(image.Manifest.Digest, head?.Digest);
        Assert.Equal(MediaType.OciManifest, head?.MediaType);

        await client.DeleteManifestAsync(RepositoryName.From(target), image.Manifest.Digest, Cancellation);

        Assert.Null(await client.HeadManifestAsync(target.WithDigest(image.Manifest.Digest), cancellationToken: Cancellation));
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.GetManifestAsync(target, Cancellation));
        Assert.Equal(DiagnosticCodes.ManifestUnknown, error.Code);
    }

    private static async Task<T> SkopeoAsync<T>(string[] arguments)
    {
        var skopeo = TestRequirements.Executable("skopeo");
        var result = await ExternalTools.RunCheckedAsync(skopeo, ["--policy", BaseImages.SkopeoPolicyPath(), .. arguments], cancellationToken: Cancellation);
        return (T)(object)JsonDocument.Parse(result.StandardOutput);
    }

    private sealed class PartialIndex(RawJson<ImageIndex> index, IReadOnlyList<Kaniko.Engine.Images.IImage> images) : Kaniko.Engine.Images.IImageIndex
    {
        public RawJson<ImageIndex> Index => index;

        public IReadOnlyList<Kaniko.Engine.Images.IImage> Manifests => images;
    }
}
