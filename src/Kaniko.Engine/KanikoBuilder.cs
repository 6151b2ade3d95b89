using System.Globalization;
using Kaniko.Engine.Attestations;
using Kaniko.Engine.Caching;
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
        request = request with
        {
            Attestations = request.Attestations.ForOutputs(pushes: !request.NoPush && request.Destinations.Count > 0, writesLayout: request.OciLayoutPath is not null),
        };
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
                StageRootRung = request.StageRoot.ToStageRootRung(),
                SingleSnapshot = request.SingleSnapshot,
                Secrets = request.Secrets.ToSources(),
                SshAgents = request.SshAgents.ToSources(),
                CacheDirectory = request.CacheDirectory ?? BlobStore.DefaultRoot,
                LayerStoreSize = request.LayerStoreSize,
            };
            var builds = await new BuildExecutor(options, events).ExecuteAsync(plans, planRequest, context.Files, cancellationToken).ConfigureAwait(false);
            var warnings = planWarnings.Concat(builds.SelectMany(b => b.Warnings)).Distinct().ToList();
            var images = plans.Zip(builds, (plan, build) => new PlatformImage(plan.TargetPlatform, build.Image.Digest)).ToList();
            var attester = new BuildAttestations(request, context, dockerfileBytes, resolvedImages, startedOn, fixedTime);
            IReadOnlyList<Platform> targetPlatforms = [.. plans.Select(p => p.TargetPlatform)];
            IReadOnlyList<MutatedImage> builtImages = [.. builds.Select(b => b.Image)];
            var attestations = await AttestAsync(request, attester, plans, builtImages, destinations, cancellationToken).ConfigureAwait(false);
            await BuildAttestations.WriteFilesAsync(request.Attestations, attestations, cancellationToken).ConfigureAwait(false);
            var output = BuildOutput.Of(targetPlatforms, builtImages, attestations);
            if (attestations.Count > 0 && request.OciLayoutPath is not null && request.ImageFormat is null
                && builtImages.Any(i => i.Format != Images.ImageFormat.Oci))
            {
                // The layout gets OCI media types; a converted image has another digest, so its attestations are
                // made again about that digest: the same statements with a new subject.
                IReadOnlyList<MutatedImage> layoutImages = [.. builtImages.Select(i => i.WithFormat(Images.ImageFormat.Oci))];
                var layoutAttestations = await AttestAsync(request, attester, plans, layoutImages, destinations, cancellationToken).ConfigureAwait(false);
                output = output.WithOciLayoutForm(BuildOutput.Of(targetPlatforms, layoutImages, layoutAttestations));
            }

            if (attestations.Count > 0)
            {
                events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.AttestationsAttached,
                    string.Join(", ", attestations.SelectMany(a => a.Statements).Select(s => s.PredicateType).Distinct()), output.Digest, string.Join(", ", images.Select(i => i.Digest)))));
            }

            var written = new List<WrittenOutput>();
            foreach (var destination in OutputDestinations(request, client, events, destinations))
            {
                written.Add(await destination.WriteAsync(output, cancellationToken).ConfigureAwait(false));
            }

            await WriteDigestFilesAsync(request, output.Digest, destinations, cancellationToken).ConfigureAwait(false);
            warnings = [.. await LayerCacheSetup.WithCacheWarningsAsync(warnings, layerCache).ConfigureAwait(false)];
            var layers = output.Layers;
            return new BuildResult(output.Digest, [.. written.SelectMany(w => w.Pushed)], output.Size, output.MediaType, warnings)
            {
                PushedBlobs = [.. written.SelectMany(w => w.Blobs)],
                Images = images,
                LayerCount = layers.Count,
                ReusedLayerCount = layers.Count(IsBaseLayer),
                OciLayoutDigest = written.Select(w => w.OciLayoutDigest).FirstOrDefault(d => d is not null),
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
        BuildRequest request, BuildAttestations attester, IReadOnlyList<BuildPlan> plans, IReadOnlyList<MutatedImage> images,
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
            manifests.Add(await attester.AttestAsync(plans[i], images[i], name, cancellationToken).ConfigureAwait(false));
        }

        return manifests;
    }

    private static List<ImageReference> ParseDestinations(BuildRequest request)
    {
        if (!request.NoPush && request.Destinations.Count == 0)
        {
            throw new KanikoException(DiagnosticCodes.DestinationRequired, Strings.DestinationRequired);
        }

        return [.. request.Destinations.Select(ImageReference.Parse)];
    }

    /// <summary>
    /// Where the output goes, in the order written: the registry references (unless <c>--no-push</c>), the tarball,
    /// the OCI layout. The digest files follow them all.
    /// </summary>
    private static List<IImageDestination> OutputDestinations(
        BuildRequest request, RegistryClient client, IBuildEventSink events, IReadOnlyList<ImageReference> destinations)
    {
        var outputs = new List<IImageDestination>();
        if (!request.NoPush && destinations.Count > 0)
        {
            outputs.Add(new RegistryDestination(new ImagePusher(client, events), destinations));
        }

        if (request.TarPath is { } tarPath)
        {
            // A tarball holds one platform: a build for several stopped before running.
            outputs.Add(new TarballDestination(tarPath, destinations));
        }

        if (request.OciLayoutPath is { } layoutPath)
        {
            var name = destinations.Select(d => d.Tag).FirstOrDefault(t => t is not null);
            outputs.Add(new OciLayoutDestination(layoutPath, name) { KeepFormat = request.ImageFormat is not null });
        }

        return outputs;
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
