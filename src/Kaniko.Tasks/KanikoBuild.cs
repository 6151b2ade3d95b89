using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MessageImportance = Microsoft.Build.Framework.MessageImportance;

namespace Kaniko.Tasks;

/// <summary>
/// Builds an image from a Dockerfile and a context folder with the engine, in the MSBuild process, and pushes it or
/// writes it to files: a thin adapter from task parameters to a <see cref="BuildRequest"/>. Engine errors become
/// MSBuild errors with their <c>KANIKOnnnn</c> code and Dockerfile location; Ctrl+C cancels the build. With a
/// <see cref="StateFile"/>, a build whose inputs are unchanged and whose image the registry still holds is skipped.
/// </summary>
public sealed partial class KanikoBuild : Microsoft.Build.Utilities.Task, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <inheritdoc />
    public void Cancel() => _cancellation.Cancel();

    /// <inheritdoc />
    public override bool Execute()
    {
        var dockerfile = string.IsNullOrEmpty(Dockerfile) ? null : Path.GetFullPath(Dockerfile);
        try
        {
            // The warm-up (KanikoWarmUp) has compiled what it could by now; it must not compete with the build for the CPU.
            EngineWarmUp.StopAsync(BuildEngine).GetAwaiter().GetResult();
            return ExecuteAsync(dockerfile, _cancellation.Token).GetAwaiter().GetResult();
        }
        catch (KanikoException e)
        {
            MSBuildDiagnostics.LogError(Log, e, dockerfile);
            return false;
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            Log.LogError(null, DiagnosticCodes.MSBuildBuildCancelled.ToString(), null, null, 0, 0, 0, 0, Strings.MSBuildBuildCancelled);
            return false;
        }
    }

    private async Task<bool> ExecuteAsync(string? dockerfile, CancellationToken cancellationToken)
    {
        var request = CreateRequest(dockerfile);
        var dockerfilePath = BuildInputs.DockerfilePath(request);
        var state = string.IsNullOrEmpty(StateFile) ? null : Path.GetFullPath(StateFile);
        var previous = state is null || LoadLocally ? null : BuildState.Read(state);
        // The destinations' HEADs go out beside the base images': the up-to-date check then waits for one round trip,
        // not two. Their answer counts only when the fingerprint below matches the previous build's.
        var published = previous is null || request.NoPush ? null : PublishedDigestsAsync(request, cancellationToken);
        BaseImageDigests? bases = null;
        if (state is not null || GenerateBaseNameLabel || GenerateBaseDigestLabel)
        {
            bases = await BaseImageDigests.ResolveAsync(request, m => Log.LogMessage(MessageImportance.Normal, "{0}", m), cancellationToken).ConfigureAwait(false);
            request = request with { Labels = [.. request.Labels, .. GeneratedLabels.ForBase(bases, GenerateBaseNameLabel, GenerateBaseDigestLabel)] };
        }

        var fingerprint = state is null ? null : BuildInputs.Fingerprint(request, dockerfilePath, Path.GetDirectoryName(state), HostIdentity, bases);
        if (previous is not null && published is not null && fingerprint is not null
            && IsUpToDate(request, previous, fingerprint, await published.ConfigureAwait(false)) is { } upToDate)
        {
            Log.LogMessage(MessageImportance.High, "{0}", string.Format(
                CultureInfo.InvariantCulture, Strings.MSBuildImageUpToDate, ImageName(request), upToDate));
            SetOutputs(request.Destinations, upToDate);
            return true;
        }

        if (state is not null)
        {
            // A failed or cancelled build must not leave the previous build's state claiming its inputs.
            BuildState.Delete(state);
        }

        // The build time is an output, not an input: it is added after the fingerprint, so it never forces a rebuild.
        request = request with { Labels = [.. request.Labels, .. GeneratedLabels.Created(CreatedLabels.Select(l => l.ItemSpec), request)] };
        LocalContainerEngine? engine = null;
        if (LoadLocally)
        {
            // Found before the build, so a machine without docker or podman fails at once, not after the build.
            engine = await LocalContainerEngine.FindAsync(LocalRegistry, cancellationToken).ConfigureAwait(false);
            request = request with
            {
                Destinations = [.. LocalImageNames.Select(n => n.ItemSpec)],
                NoPush = true,
                TarPath = Path.GetFullPath(LocalArchivePath ?? Path.Combine(request.Context, "..", "kaniko-load.tar")),
            };
        }

        Log.LogMessage(MessageImportance.High, "Building image {0} with {1}", ImageName(request), dockerfilePath);
        var sink = new MSBuildEventSink(Log, dockerfilePath);
        var result = await KanikoBuilder.BuildAsync(request, sink, cancellationToken).ConfigureAwait(false);
        foreach (var reference in result.References)
        {
            Log.LogMessage(MessageImportance.High, "Pushed image {0}@{1}", reference, result.Digest);
        }

        if (engine is not null && request.TarPath is { } archive)
        {
            try
            {
                await engine.LoadAsync(archive, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(archive);
            }

            Log.LogMessage(MessageImportance.High, "{0}", string.Format(
                CultureInfo.InvariantCulture, Strings.MSBuildImageLoaded, ImageName(request), result.Digest, engine.Command));
        }
        else if (request.NoPush)
        {
            Log.LogMessage(MessageImportance.High, "Built image {0} ({1}), not pushed", ImageName(request), result.Digest);
        }

        if (state is not null && fingerprint is not null)
        {
            new BuildState(fingerprint, result.Digest).Write(state);
        }

        SetOutputs(request.Destinations, result.Digest);
        return !Log.HasLoggedErrors;
    }

    private BuildRequest CreateRequest(string? dockerfile)
    {
        var destinations = Destinations.Select(d => d.ItemSpec.Trim()).Where(d => d.Length > 0).ToList();
        IReadOnlyList<string> platforms = [.. ImageNames.SplitList(Platforms)];
        if (platforms.Count == 0 && !string.IsNullOrWhiteSpace(RuntimeIdentifier))
        {
            platforms = [RuntimePlatforms.ToPlatform(RuntimeIdentifier)];
        }

        return new BuildRequest
        {
            Context = Path.GetFullPath(ContextDirectory),
            Dockerfile = dockerfile,
            BuildArgs = BuildRequest.ParseBuildArgs(BuildArgs.Select(BuildArgumentSpec), Environment.GetEnvironmentVariable),
            Target = string.IsNullOrWhiteSpace(Target) ? null : Target.Trim(),
            Platforms = platforms,
            Destinations = destinations,
            NoPush = NoPush || destinations.Count == 0,
            TarPath = NullIfEmpty(TarPath),
            OciLayoutPath = NullIfEmpty(OciLayoutPath),
            ImageFormat = ParseImageFormat(ImageFormat),
            Labels = [.. Labels.Select(l => KeyValuePair.Create(CheckName("KanikoLabel", l.ItemSpec), l.GetMetadata("Value")))],
            Reproducible = Reproducible,
            SourceDateEpoch = ParseSourceDateEpoch(),
            CacheDirectory = NullIfEmpty(CacheDirectory),
            Cache = new LayerCacheSettings
            {
                Enabled = Cache,
                Repository = NullIfEmpty(CacheRepository)?.Trim(),
                Ttl = NullIfEmpty(CacheTtl) is { } ttl ? ParseCacheTtl(ttl.Trim()) : LayerCacheSettings.DefaultTtl,
                CopyLayers = CacheCopyLayers,
                RunLayers = CacheRunLayers,
            },
            Registry = TaskRegistryOptions.Create(destinations.Select(d => ImageReference.Parse(d).Registry), Insecure, InsecureRegistries, SkipTlsVerify),
            Attestations = AttestationSettings(),
        };
    }

    private AttestationOptions AttestationSettings()
    {
        var options = new AttestationOptions();
        options = NullIfEmpty(Sbom) is { } sbom ? options.WithSbom(sbom.Trim()) : options;
        options = NullIfEmpty(Provenance) is { } provenance ? options.WithProvenance(provenance.Trim()) : options;
        return options.Sbom && NullIfEmpty(ProjectAssetsFile) is { } assets && File.Exists(assets) ? options with { ProjectAssetsFile = assets } : options;
    }

    // The registry holds the image when every destination's tag still names the digest the state recorded.
    private Digest? IsUpToDate(BuildRequest request, BuildState state, string fingerprint, IReadOnlyList<PublishedTag> published)
    {
        if (state.InputsFingerprint != fingerprint
            || (request.TarPath is { } tar && !File.Exists(tar)) || (request.OciLayoutPath is { } layout && !Directory.Exists(layout)))
        {
            return null;
        }

        foreach (var tag in published)
        {
            if (tag.Error is { } error)
            {
                Log.LogMessage(MessageImportance.Normal, "cannot check {0} ({1}): building", tag.Destination, error);
                return null;
            }

            if (tag.Digest != state.Digest)
            {
                Log.LogMessage(MessageImportance.Normal, "{0} does not name {1} any more: building", tag.Destination, state.Digest);
                return null;
            }
        }

        return state.Digest;
    }

    // Every destination at once; a registry that cannot answer is an answer too (the image is then built).
    private static async Task<IReadOnlyList<PublishedTag>> PublishedDigestsAsync(BuildRequest request, CancellationToken cancellationToken) =>
        await System.Threading.Tasks.Task.WhenAll(request.Destinations.Select(async destination =>
        {
            try
            {
                return new PublishedTag(destination, await BuildInputs.PublishedDigestAsync(request, destination, cancellationToken).ConfigureAwait(false), null);
            }
            catch (KanikoException e)
            {
                return new PublishedTag(destination, null, e.Message);
            }
        })).ConfigureAwait(false);

    private sealed record PublishedTag(string Destination, Digest? Digest, string? Error);

    private void SetOutputs(IReadOnlyList<string> destinations, Digest digest)
    {
        ImageDigest = digest.ToString();
        Images = [.. destinations.Select(d =>
        {
            var item = new TaskItem(d);
            item.SetMetadata("Digest", digest.ToString());
            item.SetMetadata("NameWithDigest", ImageReference.Parse(d).WithDigest(digest).ToString());
            return (ITaskItem)item;
        })];
    }

    // This task assembly's build: a new build of the task may build differently, so its inputs' fingerprint changes.
    private static string HostIdentity => typeof(KanikoBuild).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static string ImageName(BuildRequest request) => request.Destinations.Count > 0 ? string.Join(", ", request.Destinations) : "(no destination)";

    // No Value metadata means "take the value from the environment", as --build-arg NAME does.
    internal static string BuildArgumentSpec(ITaskItem item)
    {
        var name = CheckName("KanikoBuildArg", item.ItemSpec);
        return item.MetadataNames.Cast<string>().Contains("Value", StringComparer.OrdinalIgnoreCase) ? name + "=" + item.GetMetadata("Value") : name;
    }

    private static string CheckName(string item, string name) =>
        name.Trim().Length > 0 && !name.Contains('=', StringComparison.Ordinal)
            ? name.Trim()
            : throw GeneratedDockerfile.InvalidItem(item, name, "the item's name is the key and must not be empty nor hold '='; put the value in Value metadata");

    // The engine's parser, so the SDK accepts exactly what --cache-ttl accepts; its message names the property instead of the flag.
    private static TimeSpan ParseCacheTtl(string value)
    {
        try
        {
            return LayerCacheSettings.ParseTtl(value);
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.InvalidCacheTtl)
        {
            throw new KanikoException(e.Code, string.Format(CultureInfo.InvariantCulture, Strings.MSBuildInvalidCacheTtl, value), innerException: e);
        }
    }

    // The .NET SDK's two values, in any case; empty keeps the base image's family, as the .NET SDK does.
    private static Engine.ImageFormat? ParseImageFormat(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "oci" => Engine.ImageFormat.Oci,
        "docker" => Engine.ImageFormat.Docker,
        _ => throw new KanikoException(DiagnosticCodes.MSBuildInvalidImageFormat, string.Format(
            CultureInfo.InvariantCulture, Strings.MSBuildInvalidImageFormat, value)),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    // The property wins over the environment variable; a bad property is an error, a bad variable is ignored as before.
    private DateTimeOffset? ParseSourceDateEpoch()
    {
        if (!string.IsNullOrWhiteSpace(SourceDateEpoch))
        {
            return EpochSeconds(SourceDateEpoch.Trim()) ?? throw new KanikoException(DiagnosticCodes.MSBuildInvalidSourceDateEpoch, string.Format(
                CultureInfo.InvariantCulture, Strings.MSBuildInvalidSourceDateEpoch, SourceDateEpoch));
        }

        return EpochSeconds(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"));
    }

    private static DateTimeOffset? EpochSeconds(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
