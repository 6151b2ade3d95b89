using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;
using Kaniko.Engine.Outputs;
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
    /// <summary>Builds <paramref name="request"/> with the default credential sources.</summary>
    public static Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink? events, CancellationToken cancellationToken) =>
        BuildAsync(request, events, keychain: null, cancellationToken);

    /// <summary>
    /// Builds <paramref name="request"/>, reading registry credentials from <paramref name="keychain"/> (the default
    /// chain when null). A full disk or a denied file anywhere on the way ends as a <see cref="KanikoException"/>
    /// (<see cref="EnvironmentFaults"/>).
    /// </summary>
    public static async Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink? events, IKeychain? keychain, CancellationToken cancellationToken)
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
        var destinations = ParseDestinations(request);
        var platforms = TargetPlatforms(request);
        if (platforms.Count > 1 && request.TarPath is not null)
        {
            throw new KanikoException(DiagnosticCodes.TarballNeedsOnePlatform, string.Format(
                CultureInfo.InvariantCulture, Strings.TarballNeedsOnePlatform, platforms.Count, string.Join(",", platforms)));
        }

        var planRequest = KanikoPlanner.ToPlanRequest(request);

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
        foreach (var warning in planWarnings)
        {
            events.Report(new WarningEvent(warning));
        }

        var fixedTime = request.SourceDateEpoch ?? (request.Reproducible ? DateTimeOffset.UnixEpoch : null);
        var blobStore = new BlobStore(request.CacheDirectory ?? BlobStore.DefaultRoot);
        AbandonedLeftovers.Remove(request.WorkDirectoryRoot ?? Path.GetTempPath(), blobStore, events);
        using var work = OwnedFolder.Create(request.WorkDirectoryRoot ?? Path.GetTempPath(), AbandonedLeftovers.WorkFolderPrefix);
        var workDirectory = work.Path;
        using var client = new RegistryClient(request.Registry, keychain);
        using var cacheClient = LayerCacheSetup.Client(request, destinations, keychain);
        var layerCache = LayerCacheSetup.Create(request, destinations, blobStore, cacheClient, events);
        try
        {
            var options = new ExecutionOptions
            {
                Created = fixedTime ?? DateTimeOffset.UtcNow,
                FixedFileTime = fixedTime,
                Layers = request.Layers,
                WorkDirectory = workDirectory,
                Fetcher = new ImageFetcher(client, events),
                BaseImageCache = blobStore,
                Labels = request.Labels,
                Annotations = request.Annotations,
                LayerCache = layerCache,
                Isolation = request.Isolation,
                SnapshotMode = request.SnapshotMode,
                SingleSnapshot = request.SingleSnapshot,
                Secrets = request.Secrets,
                SshAgents = request.SshAgents,
                CacheDirectory = request.CacheDirectory ?? BlobStore.DefaultRoot,
            };
            var builds = await new BuildExecutor(options, events).ExecuteAsync(plans, planRequest, context.Files, cancellationToken).ConfigureAwait(false);
            var warnings = planWarnings.Concat(builds.SelectMany(b => b.Warnings)).Distinct().ToList();
            var images = plans.Zip(builds, (plan, build) => new PlatformImage(plan.TargetPlatform, build.Image.Digest)).ToList();
            if (plans.Count == 1)
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

            var index = IndexOf(plans, builds);
            var pushed = new List<ImageReference>();
            var blobs = new List<BlobPush>();
            if (!request.NoPush && destinations.Count > 0)
            {
                var result = await new ImagePusher(client, events).PushAsync(index, destinations, cancellationToken).ConfigureAwait(false);
                pushed.AddRange(result.References);
                blobs.AddRange(result.Blobs);
            }

            await WriteIndexOutputsAsync(request, index, destinations, cancellationToken).ConfigureAwait(false);
            var size = index.Index.Bytes.Length + builds.Select(b => b.Image).DistinctBy(i => i.Digest)
                .Sum(i => i.Manifest.Bytes.Length + i.Config.Bytes.Length)
                + builds.SelectMany(b => b.Image.Layers).DistinctBy(l => l.Digest).Sum(l => l.Size);
            warnings = [.. await LayerCacheSetup.WithCacheWarningsAsync(warnings, layerCache).ConfigureAwait(false)];
            var layers = builds.SelectMany(b => b.Image.Layers).DistinctBy(l => l.Digest).ToList();
            return new BuildResult(index.Digest, pushed, size, index.Index.Value.MediaType ?? ImageFormats.IndexMediaType(index.Format), warnings, blobs)
            {
                Images = images,
                LayerCount = layers.Count,
                ReusedLayerCount = layers.Count(IsBaseLayer),
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

        await WriteOutputsAsync(request, image, destinations, cancellationToken).ConfigureAwait(false);
        var size = image.Manifest.Bytes.Length + image.Config.Bytes.Length + image.Layers.Sum(l => l.Size);
        return new BuildResult(image.Digest, pushed, size, image.Manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(image.Format), warnings, blobs);
    }

    // The index takes the images' family: a Docker manifest list when every image is Docker schema 2 (a Docker base),
    // an OCI index otherwise. Each entry names the platform it was built for.
    private static BuiltImageIndex IndexOf(IReadOnlyList<BuildPlan> plans, IReadOnlyList<ExecutedBuild> builds)
    {
        var format = builds.All(b => b.Image.Format == ImageFormat.Docker) ? ImageFormat.Docker : ImageFormat.Oci;
        var builder = new ImageIndexBuilder(format);
        for (var i = 0; i < plans.Count; i++)
        {
            builder.Add(builds[i].Image, plans[i].TargetPlatform);
        }

        return builder.Build();
    }

    private static async Task WriteIndexOutputsAsync(BuildRequest request, BuiltImageIndex index, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (request.OciLayoutPath is { } layoutPath)
        {
            var name = destinations.Select(d => d.Tag).FirstOrDefault(t => t is not null);
            await new OciLayoutDestination(layoutPath, name).WriteIndexAsync(index, cancellationToken).ConfigureAwait(false);
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

    private static async Task WriteOutputsAsync(BuildRequest request, MutatedImage image, IReadOnlyList<ImageReference> destinations, CancellationToken cancellationToken)
    {
        if (request.TarPath is { } tarPath)
        {
            await new TarballDestination(tarPath, destinations).WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }

        if (request.OciLayoutPath is { } layoutPath)
        {
            var name = destinations.Select(d => d.Tag).FirstOrDefault(t => t is not null);
            await new OciLayoutDestination(layoutPath, name).WriteAsync(image, cancellationToken).ConfigureAwait(false);
        }

        await WriteDigestFilesAsync(request, image.Digest, destinations, cancellationToken).ConfigureAwait(false);
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
