using System.Collections.Concurrent;
using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// Pushes images and indexes. For each destination repository the blobs go first (config and layers, a bounded
/// number at a time, each checked with HEAD, then mounted from its source repository when that is on the same
/// registry, then uploaded), and the manifest is put under each tag only when all of them are there, so nothing is
/// pushed that refers to content the registry does not have. Non-distributable (foreign) layers are never pushed.
/// </summary>
internal sealed class ImagePusher
{
    private readonly IRegistryClient _client;
    private readonly IBuildEventSink _events;

    /// <summary>Creates a pusher over <paramref name="client"/>.</summary>
    /// <param name="client">The registry client.</param>
    /// <param name="events">Receives a low-importance message per blob and one per manifest pushed, and the byte progress of each
    /// blob uploaded (<see cref="BlobTransferStartedEvent"/> and the events after it); none when null.</param>
    public ImagePusher(IRegistryClient client, IBuildEventSink? events = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _events = events ?? NullBuildEventSink.Instance;
    }

    /// <summary>Pushes <paramref name="image"/> to every reference (tags, or a digest that must be the manifest's).</summary>
    public Task<PushResult> PushAsync(IImage image, params IEnumerable<ImageReference> references) =>
        PushAsync(image, references, CancellationToken.None);

    /// <summary>Pushes <paramref name="image"/> to every reference (tags, or a digest that must be the manifest's).</summary>
    public async Task<PushResult> PushAsync(IImage image, IEnumerable<ImageReference> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var targets = Targets(references);
        var blobs = new ConcurrentBag<BlobPush>();
        var pushedTo = new Dictionary<string, RepositoryName>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in targets.GroupBy(RepositoryName.From))
        {
            await PushBlobsAsync([image], group.Key, pushedTo.GetValueOrDefault(group.Key.Registry), blobs, cancellationToken).ConfigureAwait(false);
            pushedTo.TryAdd(group.Key.Registry, group.Key);
            foreach (var target in group)
            {
                await PutAsync(target, image.Manifest.Bytes, ManifestType(image), image.Manifest.Digest, cancellationToken).ConfigureAwait(false);
            }
        }

        return new PushResult(image.Manifest.Digest, targets, [.. blobs]);
    }

    /// <summary>
    /// Pushes <paramref name="index"/>: every image it holds (blobs, then the manifest by digest), then the index to
    /// every reference. An entry that is not among <see cref="IImageIndex.Manifests"/> must already be in the registry.
    /// </summary>
    public Task<PushResult> PushAsync(IImageIndex index, params IEnumerable<ImageReference> references) =>
        PushAsync(index, references, CancellationToken.None);

    /// <summary>Pushes <paramref name="index"/> and its images to every reference.</summary>
    public async Task<PushResult> PushAsync(IImageIndex index, IEnumerable<ImageReference> references, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        var targets = Targets(references);
        var blobs = new ConcurrentBag<BlobPush>();
        var mediaType = index.Index.Value.MediaType ?? MediaType.OciIndex;
        var pushedTo = new Dictionary<string, RepositoryName>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in targets.GroupBy(RepositoryName.From))
        {
            var repository = group.Key;
            var pushed = new HashSet<Digest>();
            var earlier = pushedTo.GetValueOrDefault(repository.Registry);
            pushedTo.TryAdd(repository.Registry, repository);
            // A manifest needs only its own blobs, and the index only its manifests: the blobs of every image (an image
            // and its attestation manifest) go in one bounded pass, then the manifests side by side.
            await PushBlobsAsync(index.Manifests, repository, earlier, blobs, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(index.Manifests.Select(image => PutAsync(
                ImageReference.Parse($"{repository}@{image.Manifest.Digest}"), image.Manifest.Bytes, ManifestType(image), image.Manifest.Digest, cancellationToken))).ConfigureAwait(false);
            pushed.UnionWith(index.Manifests.Select(image => image.Manifest.Digest));

            foreach (var entry in index.Index.Value.Manifests.Where(e => !pushed.Contains(e.Digest)))
            {
                var existing = ImageReference.Parse($"{repository}@{entry.Digest}");
                if (await _client.HeadManifestAsync(existing, RegistryAccess.Push, cancellationToken).ConfigureAwait(false) is null)
                {
                    throw new RegistryException(
                        DiagnosticCodes.PushReferencesMissingContent,
                        string.Format(CultureInfo.InvariantCulture, Strings.PushReferencesMissingContent, repository, entry.Digest));
                }
            }

            foreach (var target in group)
            {
                await PutAsync(target, index.Index.Bytes, mediaType, index.Index.Digest, cancellationToken).ConfigureAwait(false);
            }
        }

        return new PushResult(index.Index.Digest, targets, [.. blobs]);
    }

    private static ImageReference[] Targets(IEnumerable<ImageReference> references)
    {
        ArgumentNullException.ThrowIfNull(references);
        var targets = references.ToArray();
        if (targets.Length == 0)
        {
            throw new ArgumentException("at least one reference is needed", nameof(references));
        }

        return targets;
    }

    private static MediaType ManifestType(IImage image) => image.Manifest.Value.MediaType ?? MediaType.OciManifest;

    private async Task PutAsync(ImageReference target, ReadOnlyMemory<byte> bytes, MediaType mediaType, Digest digest, CancellationToken cancellationToken)
    {
        if (target.Digest is { } pinned && pinned != digest)
        {
            throw new KanikoException(
                DiagnosticCodes.ManifestDigestMismatch,
                string.Format(CultureInfo.InvariantCulture, Strings.ManifestDigestMismatch, target, digest, "the digest the destination pins", pinned));
        }

        await _client.PutManifestAsync(target, bytes, mediaType, cancellationToken).ConfigureAwait(false);
        _events.Report(new MessageEvent(Format(Strings.RegistryManifestPushed, target, digest), MessageImportance.Low));
    }

    private static string Format(string format, params object?[] arguments) => string.Format(CultureInfo.InvariantCulture, format, arguments);

    /// <param name="images">The images whose blobs to push.</param>
    /// <param name="repository">Where to.</param>
    /// <param name="earlier">A repository of the same registry this push already filled, to mount from.</param>
    /// <param name="results">Collects what each blob took.</param>
    /// <param name="cancellationToken">Cancels the transfers.</param>
    private async Task PushBlobsAsync(IEnumerable<IImage> images, RepositoryName repository, RepositoryName? earlier, ConcurrentBag<BlobPush> results, CancellationToken cancellationToken)
    {
        var work = new List<(Descriptor Blob, Func<CancellationToken, Task<Stream>> Open, RepositoryName? MountFrom)>();
        foreach (var image in images)
        {
            var config = image.Config;
            work.Add((image.Manifest.Value.Config with { Data = null }, _ => Task.FromResult<Stream>(new MemoryStream(config.Bytes.ToArray(), writable: false)), earlier ?? MountSource(image)));
            foreach (var layer in image.Layers)
            {
                if (layer.MediaType.IsForeign)
                {
                    continue;
                }

                var descriptor = new Descriptor { MediaType = layer.MediaType, Digest = layer.Digest, Size = layer.Size };
                // Prefer a repository this push already filled: its blobs are certainly there.
                work.Add((descriptor, layer.OpenCompressedAsync, earlier ?? WrappedLayers.Find<RemoteLayer>(layer)?.Repository));
            }
        }

        // The same blob twice (an empty layer repeated, a config two images share) is pushed once.
        var distinct = work.DistinctBy(w => w.Blob.Digest).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _client.Options.MaxParallelUploads), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(distinct, parallel, async (item, token) =>
        {
            var transfer = new BlobTransferProgress(_events, BlobTransferDirection.Push, repository, item.Blob.Digest, item.Blob.Size);
            var outcome = await _client.PushBlobAsync(repository, item.Blob, transfer.Wrap(item.Open), item.MountFrom, token).ConfigureAwait(false);
            if (outcome == BlobPushOutcome.Uploaded)
            {
                transfer.Finish();
            }

            results.Add(new BlobPush(repository, item.Blob.Digest, outcome));
            var text = outcome switch
            {
                BlobPushOutcome.AlreadyPresent => Format(Strings.RegistryBlobAlreadyPresent, item.Blob.Digest, repository),
                BlobPushOutcome.Mounted => Format(Strings.RegistryBlobMounted, item.Blob.Digest, repository),
                _ => Format(Strings.RegistryBlobUploaded, item.Blob.Digest, repository, item.Blob.Size),
            };
            _events.Report(new MessageEvent(text, MessageImportance.Low));
        }).ConfigureAwait(false);
    }

    private static RepositoryName? MountSource(IImage image) => image is RemoteImage remote ? remote.Repository : null;
}
