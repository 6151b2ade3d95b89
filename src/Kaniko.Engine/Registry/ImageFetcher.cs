using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// Opens images in registries. For Docker Hub references the configured mirrors are tried first, in order, then
/// Docker Hub itself; the image's blobs are then fetched from whichever served its manifest.
/// </summary>
internal sealed class ImageFetcher
{
    private readonly IRegistryClient _client;
    private readonly IBuildEventSink _events;

    /// <summary>Creates a fetcher over <paramref name="client"/>.</summary>
    /// <param name="client">The registry client.</param>
    /// <param name="events">Receives a low-importance message per image opened; none when null.</param>
    public ImageFetcher(IRegistryClient client, IBuildEventSink? events = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _events = events ?? NullBuildEventSink.Instance;
    }

    /// <summary>
    /// Opens the image <paramref name="reference"/> names. When it names an index or manifest list, the entry for
    /// <paramref name="platform"/> (default <see cref="Platform.Current"/>) is opened; none matching is an error
    /// (<c>KANIKO3208</c>) listing the platforms the index offers.
    /// </summary>
    public async Task<RemoteImage> OpenAsync(ImageReference reference, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (repository, response) = await FetchAsync(reference, cancellationToken).ConfigureAwait(false);
        if (!response.MediaType.IsIndex)
        {
            return Opened(reference, null, await RemoteImage.OpenAsync(_client, repository, response, null, cancellationToken).ConfigureAwait(false));
        }

        var wanted = platform ?? Platform.Current;
        var index = RawJson<ImageIndex>.Parse(response.Bytes.Span, "index " + reference);
        var entry = index.Value.Manifests.FirstOrDefault(m => m.MediaType.IsManifest && m.Platform is { } offered && wanted.Matches(offered));
        if (entry is null)
        {
            var offered = index.Value.Manifests.Where(m => m.Platform is not null).Select(m => m.Platform!.ToString()).Distinct().ToArray();
            throw new RegistryException(
                DiagnosticCodes.PlatformNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.PlatformNotFound, reference, wanted, offered.Length == 0 ? "no platforms" : string.Join(", ", offered)));
        }

        var child = (await FetchChildAsync(_client, repository, reference, entry, cancellationToken).ConfigureAwait(false)) with { Reference = reference.WithDigest(entry.Digest) };
        return Opened(reference, entry.Platform, await RemoteImage.OpenAsync(_client, repository, child, entry.Platform, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Opens the index <paramref name="reference"/> names, with all its images; fails when it names a single image.</summary>
    public async Task<RemoteIndex> OpenIndexAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (repository, response) = await FetchAsync(reference, cancellationToken).ConfigureAwait(false);
        if (!response.MediaType.IsIndex)
        {
            throw new RegistryException(
                DiagnosticCodes.ManifestMediaTypeUnsupported,
                string.Format(CultureInfo.InvariantCulture, Strings.ManifestMediaTypeUnsupported, reference, response.MediaType + " where an index was expected"));
        }

        return await RemoteIndex.OpenAsync(_client, repository, response, cancellationToken).ConfigureAwait(false);
    }

    private RemoteImage Opened(ImageReference asked, Platform? platform, RemoteImage image)
    {
        _events.Report(new ImageResolvedEvent(asked, image.Digest, platform));
        var source = image.Repository == RepositoryName.From(image.Reference) ? image.Digest.ToString() : $"{image.Digest} from {image.Repository}";
        _events.Report(new MessageEvent(string.Format(CultureInfo.InvariantCulture, Strings.RegistryImageOpened, image.Reference, source), MessageImportance.Low));
        return image;
    }

    internal static async Task<ManifestResponse> FetchChildAsync(IRegistryClient client, RepositoryName repository, ImageReference parent, Descriptor entry, CancellationToken cancellationToken)
    {
        var childReference = ImageReference.Parse($"{repository}@{entry.Digest}");
        var child = await client.GetManifestAsync(childReference, cancellationToken).ConfigureAwait(false);
        if (!child.MediaType.IsManifest)
        {
            throw new RegistryException(
                DiagnosticCodes.ManifestMediaTypeUnsupported,
                string.Format(CultureInfo.InvariantCulture, Strings.ManifestMediaTypeUnsupported, $"{parent} entry {entry.Digest}", child.MediaType));
        }

        return child;
    }

    private async Task<(RepositoryName Repository, ManifestResponse Response)> FetchAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        var mirrors = reference.IsDockerHub ? _client.Options.RegistryMirrors : [];
        KanikoException? last = null;
        foreach (var mirror in mirrors)
        {
            var mirrored = OnMirror(reference, mirror);
            try
            {
                var response = await _client.GetManifestAsync(mirrored, cancellationToken).ConfigureAwait(false);
                return (RepositoryName.From(mirrored), response with { Reference = reference });
            }
            catch (KanikoException e)
            {
                // A mirror that is down, incomplete or refuses us is skipped, as kaniko does.
                last = e;
            }
        }

        if (last is not null && _client.Options.SkipDefaultRegistryFallback)
        {
            throw last;
        }

        return (RepositoryName.From(reference), await _client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false));
    }

    // A mirror is host[:port][/prefix]; the repository path keeps its Docker Hub form (library/busybox) under the prefix.
    private static ImageReference OnMirror(ImageReference reference, string mirror)
    {
        var trimmed = mirror.Trim().TrimEnd('/');
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            trimmed = trimmed[(schemeEnd + 3)..];
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? trimmed : trimmed[..slash];
        var prefix = slash < 0 ? string.Empty : trimmed[(slash + 1)..] + "/";
        var text = $"{host}/{prefix}{reference.Repository}"
            + (reference.Tag is { } tag ? ":" + tag : string.Empty)
            + (reference.Digest is { } digest ? "@" + digest : string.Empty);
        if (!ImageReference.TryParse(text, out var mirrored, out var reason))
        {
            throw new KanikoException(
                DiagnosticCodes.InvalidRegistryOption,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidRegistryOption, "--registry-mirror", mirror, reason));
        }

        return mirrored;
    }
}
