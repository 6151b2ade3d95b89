using System.Globalization;
using Kaniko.Engine.Attestations;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Execution.Build;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Outputs;
using Kaniko.Engine.Planning;
using Kaniko.Engine.Registry;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine;

/// <summary>
/// Builds an image from a Dockerfile without a daemon and writes it where the request says: plans the build, runs
/// each stage (<see cref="BuildExecutor"/>), then pushes to every destination and writes the tarball, the OCI
/// layout and the digest files. Progress and warnings go to the event sink; failures are
/// <see cref="KanikoException"/>s, located in the Dockerfile when a step caused them.
/// </summary>
public static class KanikoBuilder
{
    /// <summary>Builds <paramref name="request"/> with the credential sources its registry settings name.</summary>
    public static Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink? events, CancellationToken cancellationToken) =>
        BuildAsync(request, events, RequestMapping.Keychain(request), cancellationToken);

    /// <summary>
    /// Builds <paramref name="request"/>, reading registry credentials from <paramref name="keychain"/> (the default
    /// chain when null). A full disk or a denied file anywhere on the way ends as a <see cref="KanikoException"/>
    /// (<see cref="EnvironmentFaults"/>).
    /// </summary>
    internal static async Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink? events, IKeychain? keychain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await BuildCoreAsync(request, events ?? NullBuildEventSink.Instance, keychain, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (EnvironmentFaults.Translate(e) is { } fault)
        {
            throw fault;
        }
    }

    private static async Task<BuildResult> BuildCoreAsync(BuildRequest request, IBuildEventSink events, IKeychain? keychain, CancellationToken cancellationToken)
    {
        var startedOn = DateTimeOffset.UtcNow;
        var resolvedImages = new ResolvedImagesRecorder(events);
        events = resolvedImages;
        BuildAttestations.Validate(request);
        var destinations = ParseDestinations(request);
        var platforms = TargetPlatforms(request);
        if (platforms.Count > 1 && request.TarPath is not null)
        {
            throw new KanikoException(DiagnosticCodes.TarballNeedsOnePlatform, string.Format(
                CultureInfo.InvariantCulture, Strings.TarballNeedsOnePlatform, platforms.Count, string.Join(",", platforms)));
        }

        var planRequest = KanikoPlanner.ToPlanRequest(request);

        // Before the context is fetched, which may already write there (an archive is unpacked into a folder).
        WritableFolder.Require(request.WorkDirectoryRoot ?? Path.GetTempPath(), "the folder of temporary files", "TMPDIR");
        WritableFolder.Require(request.CacheDirectory ?? BlobStore.DefaultRoot, "the cache folder", "--cache-dir (or KANIKO_CACHE_DIR)");
        using var context = await OpenedContext.OpenAsync(request, cancellationToken).ConfigureAwait(false);
        if (context.Materialized.IsScratchCopy)
        {
            events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.ContextFetched, context.Materialized.Description)));
        }

        var dockerfile = context.Dockerfile;
        var dockerfileBytes = dockerfile.ReadAllBytes();
        var plans = platforms.Count == 0
            ? [KanikoPlanner.Plan(dockerfileBytes, dockerfile.DisplayName, planRequest)]
            : platforms.Select(p => KanikoPlanner.Plan(dockerfileBytes, dockerfile.DisplayName, planRequest with { TargetPlatform = p })).ToList();
        var planWarnings = plans.SelectMany(p => p.Warnings).Distinct().ToList();
        var imageFormat = EffectiveImageFormat(request, planWarnings);

        // One keychain for pulls, pushes and the layer cache: its config file is read once, here, so a file that
        // cannot be used is a warning for every registry rather than a failure only where credentials are needed.
        keychain ??= ChainedKeychain.CreateDefault();
        planWarnings.AddRange(keychain.Open());
        foreach (var warning in planWarnings)
        {
            events.Report(new WarningEvent(warning));
        }

        var fixedTime = request.SourceDateEpoch ?? (request.Reproducible ? DateTimeOffset.UnixEpoch : null);
        var blobStore = new BlobStore(request.CacheDirectory ?? BlobStore.DefaultRoot);
        AbandonedLeftovers.Remove(request.WorkDirectoryRoot ?? Path.GetTempPath(), blobStore, events);
        using var work = OwnedFolder.Create(request.WorkDirectoryRoot ?? Path.GetTempPath(), AbandonedLeftovers.WorkFolderPrefix);
        var workDirectory = work.Path;
        using var client = new RegistryClient(request.Registry.ToOptions(), keychain);
        using var cacheClient = LayerCacheSetup.Client(request, destinations, keychain);
        var layerCache = LayerCacheSetup.Create(request, destinations, blobStore, cacheClient, events);
        try
        {
            var options = new ExecutionOptions
            {
                Created = fixedTime ?? DateTimeOffset.UtcNow,
                FixedFileTime = fixedTime,
                Layers = request.Layers.ToOptions(),
                ImageFormat = imageFormat,
                WorkDirectory = workDirectory,
                Fetcher = new ImageFetcher(client, events),
                BaseImageCache = blobStore,
                Labels = request.Labels,
                Annotations = request.Annotations,
                LayerCache = layerCache,
                Isolation = request.Isolation.ToSandboxKind(),
                SnapshotMode = request.SnapshotMode.ToSnapshotMode(),
                SingleSnapshot = request.SingleSnapshot,
                Secrets = request.Secrets.ToSources(),
                SshAgents = request.SshAgents.ToSources(),
                CacheDirectory = request.CacheDirectory ?? BlobStore.DefaultRoot,
            };
            var builds = await new BuildExecutor(options, events).ExecuteAsync(plans, planRequest, context.Files, cancellationToken).ConfigureAwait(false);
            var warnings = planWarnings.Concat(builds.SelectMany(b => b.Warnings)).Distinct().ToList();
            var images = plans.Zip(builds, (plan, build) => new PlatformImage(plan.TargetPlatform, build.Image.Digest)).ToList();
            var attestations = await AttestAsync(
                request, new BuildAttestations(request, context, dockerfileBytes, resolvedImages, startedOn, fixedTime), plans, builds, destinations, cancellationToken).ConfigureAwait(false);
            if (plans.Count == 1 && attestations.Count == 0)
            {
                var single = await FinishSingleAsync(request, client, events, builds[0].Image, destinations, warnings, cancellationToken).ConfigureAwait(false);
                return single with
                {
                    Images = images,
                    LayerCount = builds[0].Image.Layers.Count,
                    ReusedLayerCount = builds[0].Image.Layers.Count(IsBaseLayer),
                    Warnings = await LayerCacheSetup.WithCacheWarningsAsync(single.Warnings, layerCache).ConfigureAwait(false),
                };
            }

            var index = IndexOf(plans, [.. builds.Select(b => b.Image)], attestations);
            if (attestations.Count > 0)
            {
                events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.AttestationsAttached,
                    string.Join(", ", attestations.SelectMany(a => a.Statements).Select(s => s.PredicateType).Distinct()), index.Digest, string.Join(", ", images.Select(i => i.Digest)))));
            }

            var pushed = new List<ImageReference>();
            var blobs = new List<BlobPush>();
            if (!request.NoPush && destinations.Count > 0)
            {
                var result = await new ImagePusher(client, events).PushAsync(index, destinations, cancellationToken).ConfigureAwait(false);
                pushed.AddRange(result.References);
                blobs.AddRange(result.Blobs);
            }

            if (request.TarPath is { } attestedTarPath)
            {
                // Only a single-platform build gets here with a tarball: the image, with its attestations beside it.
                await new TarballDestination(attestedTarPath, destinations).WriteAsync(builds[0].Image, index, cancellationToken).ConfigureAwait(false);
            }

            // The layout gets OCI media types (skopeo's oci: transport and umoci read only those). Attestations name
            // the pushed manifests' digests, so a layout whose images had to be converted holds the images alone.
            var layoutIndex = request.OciLayoutPath is null || request.ImageFormat is not null || builds.All(b => b.Image.Format == Images.ImageFormat.Oci)
                ? index
                : IndexOf(plans, [.. builds.Select(b => b.Image.WithFormat(Images.ImageFormat.Oci))], attestations: []);
            await WriteIndexOutputsAsync(request, index, layoutIndex, destinations, cancellationToken).ConfigureAwait(false);
            var size = index.Index.Bytes.Length + builds.Select(b => b.Image).DistinctBy(i => i.Digest)
                .Sum(i => i.Manifest.Bytes.Length + i.Config.Bytes.Length)
                + builds.SelectMany(b => b.Image.Layers).DistinctBy(l => l.Digest).Sum(l => l.Size);
            warnings = [.. await LayerCacheSetup.WithCacheWarningsAsync(warnings, layerCache).ConfigureAwait(false)];
            var layers = builds.SelectMany(b => b.Image.Layers).DistinctBy(l => l.Digest).ToList();
            return new BuildResult(index.Digest, pushed, size, index.Index.Value.MediaType ?? ImageFormats.IndexMediaType(index.Format), warnings)
            {
                PushedBlobs = blobs,
                Images = images,
                LayerCount = layers.Count,
                ReusedLayerCount = layers.Count(IsBaseLayer),
                OciLayoutDigest = request.OciLayoutPath is null ? null : layoutIndex.Digest,
            };
        }
        finally
        {
            // The cache's background writes read the layers in the work folder: let them finish first.
            if (layerCache is not null)
            {
                await layerCache.FlushAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The target platforms of <paramref name="request"/>, parsed, normalised and without repeats, in the order
    /// given: <see cref="BuildRequest.Platforms"/>, else <see cref="BuildRequest.Platform"/>; empty for this machine's.
    /// </summary>
    public static IReadOnlyList<Platform> TargetPlatforms(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        IEnumerable<string> specifiers = request.Platforms.Count > 0 ? request.Platforms
            : string.IsNullOrEmpty(request.Platform) ? [] : [request.Platform];
        return [.. specifiers
            .SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => Platform.Parse(s).Normalize())
            .Distinct()];
    }

    // A layer read from a registry is a base layer the image keeps as it is; built layers are files of this build.
    private static bool IsBaseLayer(ILayer layer) => WrappedLayers.Find<RemoteLayer>(layer) is not null;

    private static async Task<BuildResult> FinishSingleAsync(
        BuildRequest request, RegistryClient client, IBuildEventSink events, MutatedImage image, List<ImageReference> destinations,
        IReadOnlyList<BuildWarning> warnings, CancellationToken cancellationToken)
    {
        var pushed = new List<ImageReference>();
        var blobs = new List<BlobPush>();
        if (!request.NoPush && destinations.Count > 0)
        {
            var result = await new ImagePusher(client, events).PushAsync(image, destinations, cancellationToken).ConfigureAwait(false);
            pushed.AddRange(result.References);
            blobs.AddRange(result.Blobs);
        }

        var layoutImage = await WriteOutputsAsync(request, image, destinations, cancellationToken).ConfigureAwait(false);
        var size = image.Manifest.Bytes.Length + image.Config.Bytes.Length + image.Layers.Sum(l => l.Size);
        return new BuildResult(image.Digest, pushed, size, image.Manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(image.Format), warnings)
        {
            PushedBlobs = blobs,
            OciLayoutDigest = layoutImage?.Digest,
        };
    }

    // The index takes the images' family: a Docker manifest list when every image is Docker schema 2 (a Docker base),
    // an OCI index otherwise, and always with attestations (their manifests are OCI ones). Each entry names the
    // platform it was built for; attestation manifests follow the images, as BuildKit orders them.
    private static BuiltImageIndex IndexOf(IReadOnlyList<BuildPlan> plans, IReadOnlyList<MutatedImage> images, IReadOnlyList<AttestationManifest> attestations)
    {
        var format = attestations.Count == 0 && images.All(i => i.Format == Images.ImageFormat.Docker) ? Images.ImageFormat.Docker : Images.ImageFormat.Oci;
        var builder = new ImageIndexBuilder(format);
        for (var i = 0; i < plans.Count; i++)
        {
            builder.Add(images[i], plans[i].TargetPlatform);
        }

        foreach (var attestation in attestations)
        {
            builder.Add(attestation, AttestationManifest.UnknownPlatform, attestation.IndexAnnotations);
        }

        return builder.Build();
    }

    /// <summary>
    /// The family the build writes: the one asked for, or none (each base's). Docker schema 2 has no name for a zstd
    /// layer, so zstd with <c>docker</c> writes OCI media types with a warning, as BuildKit forces them on.
    /// </summary>
    private static Images.ImageFormat? EffectiveImageFormat(BuildRequest request, List<BuildWarning> warnings)
    {
        if (request.ImageFormat == ImageFormat.Docker && request.Layers.Compression == CompressionKind.Zstd)
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.ImageFormatForcedToOci, Strings.ImageFormatForcedToOci));
            return Images.ImageFormat.Oci;
        }

        return request.ImageFormat?.ToImages();
    }

    private static async Task<IReadOnlyList<AttestationManifest>> AttestAsync(
        BuildRequest request, BuildAttestations attester, IReadOnlyList<BuildPlan> plans, IReadOnlyList<ExecutedBuild> builds,
        IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (!request.Attestations.Any)
        {
            return [];
        }

        var name = destinations.Select(d => RepositoryName.From(d).ToString()).FirstOrDefault() ?? "image";
        var manifests = new List<AttestationManifest>();
        for (var i = 0; i < plans.Count; i++)
        {
            manifests.Add(await attester.AttestAsync(plans[i], builds[i].Image, name, cancellationToken).ConfigureAwait(false));
        }

        await BuildAttestations.WriteFilesAsync(request.Attestations, manifests, cancellationToken).ConfigureAwait(false);
        return manifests;
    }

    private static async Task WriteIndexOutputsAsync(
        BuildRequest request, BuiltImageIndex index, BuiltImageIndex layoutIndex, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (request.OciLayoutPath is { } layoutPath)
        {
            var name = destinations.Select(d => d.Tag).FirstOrDefault(t => t is not null);
            await new OciLayoutDestination(layoutPath, name).WriteIndexAsync(layoutIndex, cancellationToken).ConfigureAwait(false);
        }

        await WriteDigestFilesAsync(request, index.Digest, destinations, cancellationToken).ConfigureAwait(false);
    }

    private static List<ImageReference> ParseDestinations(BuildRequest request)
    {
        if (!request.NoPush && request.Destinations.Count == 0)
        {
            throw new KanikoException(DiagnosticCodes.DestinationRequired, Strings.DestinationRequired);
        }

        return [.. request.Destinations.Select(ImageReference.Parse)];
    }

    // Returns the image written into the OCI layout, if any: OCI media types unless a format was asked for, so
    // skopeo's oci: transport and umoci can open it (BuildKit's and buildah's OCI outputs convert the same way).
    private static async Task<MutatedImage?> WriteOutputsAsync(BuildRequest request, MutatedImage image, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (request.TarPath is { } tarPath)
        {
            await new TarballDestination(tarPath, destinations).WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }

        MutatedImage? layoutImage = null;
        if (request.OciLayoutPath is { } layoutPath)
        {
            layoutImage = request.ImageFormat is null ? image.WithFormat(Images.ImageFormat.Oci) : image;
            var name = destinations.Select(d => d.Tag).FirstOrDefault(t => t is not null);
            await new OciLayoutDestination(layoutPath, name).WriteAsync(layoutImage, cancellationToken).ConfigureAwait(false);
        }

        await WriteDigestFilesAsync(request, image.Digest, destinations, cancellationToken).ConfigureAwait(false);
        return layoutImage;
    }

    private static async Task WriteDigestFilesAsync(BuildRequest request, Digest digest, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (request.DigestFile is { } digestFile)
        {
            await DigestFileWriter.WriteDigestAsync(digestFile, digest, cancellationToken).ConfigureAwait(false);
        }

        if (request.ImageNameWithDigestFile is { } nameFile)
        {
            await DigestFileWriter.WriteImageNameWithDigestAsync(nameFile, destinations, digest, cancellationToken).ConfigureAwait(false);
        }

        if (request.ImageNameTagWithDigestFile is { } nameTagFile)
        {
            await DigestFileWriter.WriteImageNameTagWithDigestAsync(nameTagFile, destinations, digest, cancellationToken).ConfigureAwait(false);
        }
    }
}
