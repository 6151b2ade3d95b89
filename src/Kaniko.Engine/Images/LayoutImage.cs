using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// A single-platform image read from an OCI image layout directory: the manifest and config are read (and checked
/// against their digests) at once, the layers are the layout's blob files, opened only when read.
/// </summary>
internal sealed class LayoutImage : IImage
{
    private LayoutImage(string directory, RawJson<ImageManifest> manifest, RawJson<ImageConfigFile> config, IReadOnlyList<ILayer> layers)
    {
        Directory = directory;
        Manifest = manifest;
        Config = config;
        Layers = layers;
    }

    /// <summary>The layout directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest { get; }

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>
    /// Loads the image named <paramref name="referenceName"/> (its <c>org.opencontainers.image.ref.name</c>) from
    /// the layout at <paramref name="directory"/>, or the only image when the name is null. Throws <c>KANIKO5002</c>
    /// when the layout or the name is missing, <c>KANIKO3008</c> when a document does not match its digest.
    /// </summary>
    public static async Task<LayoutImage> LoadAsync(string directory, string? referenceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var indexPath = Path.Combine(directory, "index.json");
        if (!File.Exists(indexPath))
        {
            throw NotALayout(directory, "it has no index.json");
        }

        var index = RawJson<ImageIndex>.Parse(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false), indexPath).Value;
        var candidates = index.Manifests.Where(m => m.MediaType.IsManifest
            && (referenceName is null || (m.Annotations?.TryGetValue("org.opencontainers.image.ref.name", out var name) == true && name == referenceName)))
            .ToList();
        if (candidates.Count != 1)
        {
            throw NotALayout(directory, string.Format(
                CultureInfo.InvariantCulture, "{0} image manifests are named '{1}'", candidates.Count, referenceName ?? "(any)"));
        }

        var manifest = RawJson<ImageManifest>.Parse(await ReadBlobAsync(directory, candidates[0], cancellationToken).ConfigureAwait(false), candidates[0].Digest.ToString());
        var config = RawJson<ImageConfigFile>.Parse(await ReadBlobAsync(directory, manifest.Value.Config, cancellationToken).ConfigureAwait(false), manifest.Value.Config.Digest.ToString());
        var diffIds = config.Value.RootFs.DiffIds;
        if (diffIds.Count != manifest.Value.Layers.Count)
        {
            throw new KanikoException(
                DiagnosticCodes.InconsistentImage,
                string.Format(CultureInfo.InvariantCulture, Strings.InconsistentImage, string.Format(
                    CultureInfo.InvariantCulture, "the manifest lists {0} layers, the config {1} diff ids", manifest.Value.Layers.Count, diffIds.Count)));
        }

        var layers = manifest.Value.Layers
            .Select((d, i) => (ILayer)new FileBackedLayer(BlobPath(directory, d.Digest), d.MediaType, d.Digest, diffIds[i], d.Size))
            .ToList();
        return new LayoutImage(directory, manifest, config, layers);
    }

    private static string BlobPath(string directory, Digest digest) => Path.Combine(directory, "blobs", digest.Algorithm, digest.Encoded);

    private static async Task<byte[]> ReadBlobAsync(string directory, Descriptor descriptor, CancellationToken cancellationToken)
    {
        var file = new FileStream(BlobPath(directory, descriptor.Digest), FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            var verifying = new DigestVerifyingStream(file, descriptor, leaveOpen: true);
            await using (verifying.ConfigureAwait(false))
            {
                using var copy = new MemoryStream();
                await verifying.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
                return copy.ToArray();
            }
        }
    }

    private static KanikoException NotALayout(string directory, string reason) => new(
        DiagnosticCodes.InvalidOciLayout,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidOciLayout, directory, reason));
}
