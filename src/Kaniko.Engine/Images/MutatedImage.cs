using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// An image made by <see cref="ImageBuilder"/>: its config and manifest were serialised once, when it was built, and
/// keep those bytes; its layers are the base image's followed by the appended ones, each typed as its manifest
/// descriptor says.
/// </summary>
internal sealed class MutatedImage : IImage
{
    internal MutatedImage(RawJson<ImageManifest> manifest, RawJson<ImageConfigFile> config, IReadOnlyList<ILayer> layers, ImageFormat format)
    {
        Manifest = manifest;
        Config = config;
        Layers = layers;
        Format = format;
    }

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest { get; }

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers { get; }

    /// <summary>The media type family of the manifest, config and layers.</summary>
    public ImageFormat Format { get; }

    /// <summary>The digest of the manifest: the image's identity.</summary>
    public Digest Digest => Manifest.Digest;

    /// <summary>A descriptor of the manifest, as an index or an OCI layout lists it.</summary>
    public Descriptor ToDescriptor() => Manifest.ToDescriptor(ImageFormats.ManifestMediaType(Format));

    /// <summary>
    /// The same image with the manifest, config and layer media types of <paramref name="format"/> (this image when
    /// it already has them). The config and layer bytes stay as they are, so their digests do too: BuildKit and
    /// buildah keep a Docker config's fields (<c>Healthcheck</c>, ...) in an OCI config in the same way; only the
    /// manifest, and so the image's digest, changes. A zstd layer has no Docker name and throws <c>KANIKO3310</c>.
    /// </summary>
    public MutatedImage WithFormat(ImageFormat format)
    {
        if (format == Format)
        {
            return this;
        }

        var manifest = Manifest.Value;
        var descriptors = manifest.Layers
            .Select(d => d with { MediaType = ImageFormats.LayerMediaType(format, d.MediaType) })
            .ToList();
        var layers = Layers.Zip(descriptors, (layer, descriptor) => RetypedLayer.As(layer, descriptor.MediaType)).ToList();
        var converted = RawJson<ImageManifest>.Serialize(manifest with
        {
            MediaType = ImageFormats.ManifestMediaType(format),
            Config = manifest.Config with { MediaType = ImageFormats.ConfigMediaType(format) },
            Layers = descriptors,
        });
        return new MutatedImage(converted, Config, layers, format);
    }
}
