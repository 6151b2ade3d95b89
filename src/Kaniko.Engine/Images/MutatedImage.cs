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
}
