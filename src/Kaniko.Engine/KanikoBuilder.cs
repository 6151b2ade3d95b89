using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
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

    /// <summary>Builds <paramref name="request"/>, reading registry credentials from <paramref name="keychain"/> (the default chain when null).</summary>
    public static async Task<BuildResult> BuildAsync(BuildRequest request, IBuildEventSink? events, IKeychain? keychain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        events ??= NullBuildEventSink.Instance;
        var destinations = ParseDestinations(request);
        var planRequest = KanikoPlanner.ToPlanRequest(request);

        using var context = BuildContextFactory.Open(request.Context, request.Dockerfile);
        var contextDirectory = context is DirectoryBuildContext directory ? directory.RootDirectory : request.Context;
        var dockerfile = DockerfileLocator.Resolve(request.Dockerfile, contextDirectory);
        var plan = KanikoPlanner.Plan(dockerfile.ReadAllBytes(), dockerfile.DisplayName, planRequest);
        foreach (var warning in plan.Warnings)
        {
            events.Report(new WarningEvent(warning));
        }

        var fixedTime = request.SourceDateEpoch ?? (request.Reproducible ? DateTimeOffset.UnixEpoch : null);
        var workDirectory = Path.Combine(Path.GetTempPath(), "kaniko-dotnet-build-" + Guid.NewGuid().ToString("N"));
        using var client = new RegistryClient(request.Registry, keychain);
        try
        {
            var options = new ExecutionOptions
            {
                Created = fixedTime ?? DateTimeOffset.UtcNow,
                FixedFileTime = fixedTime,
                Layers = request.Layers,
                WorkDirectory = workDirectory,
                Fetcher = new ImageFetcher(client, events),
                BaseImageCache = new BlobStore(request.CacheDirectory ?? BlobStore.DefaultRoot),
                Labels = request.Labels,
                Annotations = request.Annotations,
            };
            var built = await new BuildExecutor(options, events).ExecuteAsync(plan, planRequest, context, cancellationToken).ConfigureAwait(false);
            var image = built.Image;

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
            return new BuildResult(image.Digest, pushed, size, image.Manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(image.Format), [.. plan.Warnings, .. built.Warnings], blobs);
        }
        finally
        {
            TryDelete(workDirectory);
        }
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

        if (request.DigestFile is { } digestFile)
        {
            await DigestFileWriter.WriteDigestAsync(digestFile, image.Digest, cancellationToken).ConfigureAwait(false);
        }

        if (request.ImageNameWithDigestFile is { } nameFile)
        {
            await DigestFileWriter.WriteImageNameWithDigestAsync(nameFile, destinations, image.Digest, cancellationToken).ConfigureAwait(false);
        }

        if (request.ImageNameTagWithDigestFile is { } nameTagFile)
        {
            await DigestFileWriter.WriteImageNameTagWithDigestAsync(nameTagFile, destinations, image.Digest, cancellationToken).ConfigureAwait(false);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder must not turn a finished build into a failure.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
