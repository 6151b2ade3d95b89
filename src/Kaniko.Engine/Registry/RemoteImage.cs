using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// An image in a registry: its manifest and config were fetched (and verified) when it was opened; its layers are
/// <see cref="RemoteLayer"/>s, fetched only when opened.
/// </summary>
internal sealed class RemoteImage : IImage
{
    // A config is a few KiB; an image with a long history may reach a few MiB. More is not a config.
    private const long MaxConfigSize = 64L * 1024 * 1024;

    private RemoteImage(ImageReference reference, RepositoryName repository, Descriptor descriptor, RawJson<ImageManifest> manifest, RawJson<ImageConfigFile> config, IReadOnlyList<ILayer> layers)
    {
        Reference = reference;
        Repository = repository;
        Descriptor = descriptor;
        Manifest = manifest;
        Config = config;
        Layers = layers;
    }

    /// <summary>The reference the image was asked for (a child of an index: the index's reference with the child's digest).</summary>
    public ImageReference Reference { get; }

    /// <summary>The repository it was fetched from (a mirror's, when a mirror served it).</summary>
    public RepositoryName Repository { get; }

    /// <summary>The manifest's descriptor (media type, digest, size; the platform when an index listed one).</summary>
    public Descriptor Descriptor { get; }

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest { get; }

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>The manifest's digest.</summary>
    public Digest Digest => Manifest.Digest;

    internal static async Task<RemoteImage> OpenAsync(IRegistryClient client, RepositoryName repository, ManifestResponse response, Platform? platform, CancellationToken cancellationToken)
    {
        var source = "manifest " + response.Reference;
        var manifest = RawJson<ImageManifest>.Parse(response.Bytes.Span, source);
        var configDescriptor = manifest.Value.Config;
        if (configDescriptor.Size > MaxConfigSize)
        {
            throw Invalid(source, $"its config is {configDescriptor.Size} bytes, more than the {MaxConfigSize} a config may have");
        }

        byte[] configBytes;
        await using (var stream = await client.OpenBlobAsync(repository, configDescriptor, cancellationToken).ConfigureAwait(false))
        {
            using var buffer = new MemoryStream((int)configDescriptor.Size);
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            configBytes = buffer.ToArray();
        }

        var config = RawJson<ImageConfigFile>.Parse(configBytes, $"config {configDescriptor.Digest} of {response.Reference}");
        var diffIds = config.Value.RootFs.DiffIds;
        if (diffIds.Count != manifest.Value.Layers.Count)
        {
            throw Invalid(source, $"it lists {manifest.Value.Layers.Count} layers but its config lists {diffIds.Count} diff_ids");
        }

        var layers = manifest.Value.Layers.Select((layer, i) => (ILayer)new RemoteLayer(client, repository, layer, diffIds[i])).ToArray();
        var descriptor = response.ToDescriptor() with { Platform = platform };
        return new RemoteImage(response.Reference, repository, descriptor, manifest, config, layers);
    }

    private static KanikoException Invalid(string source, string reason) => new(
        DiagnosticCodes.InvalidDocument,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidDocument, source, MediaType.OciManifest, reason));
}

/// <summary>
/// An image index (or Docker manifest list) in a registry, with the images it lists opened (manifests and configs
/// fetched, layers not). Entries that are not image manifests (nested indexes) are not opened.
/// </summary>
internal sealed class RemoteIndex : IImageIndex
{
    private RemoteIndex(ImageReference reference, RepositoryName repository, RawJson<ImageIndex> index, IReadOnlyList<IImage> manifests)
    {
        Reference = reference;
        Repository = repository;
        Index = index;
        Manifests = manifests;
    }

    /// <summary>The reference the index was asked for.</summary>
    public ImageReference Reference { get; }

    /// <summary>The repository it was fetched from.</summary>
    public RepositoryName Repository { get; }

    /// <inheritdoc />
    public RawJson<ImageIndex> Index { get; }

    /// <inheritdoc />
    public IReadOnlyList<IImage> Manifests { get; }

    /// <summary>The index's digest.</summary>
    public Digest Digest => Index.Digest;

    internal static async Task<RemoteIndex> OpenAsync(IRegistryClient client, RepositoryName repository, ManifestResponse response, CancellationToken cancellationToken)
    {
        var index = RawJson<ImageIndex>.Parse(response.Bytes.Span, "index " + response.Reference);
        var images = new List<IImage>();
        foreach (var entry in index.Value.Manifests.Where(m => m.MediaType.IsManifest))
        {
            var child = await ImageFetcher.FetchChildAsync(client, repository, response.Reference, entry, cancellationToken).ConfigureAwait(false);
            images.Add(await RemoteImage.OpenAsync(client, repository, child, entry.Platform, cancellationToken).ConfigureAwait(false));
        }

        return new RemoteIndex(response.Reference, repository, index, images);
    }
}
