using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// The empty image <c>FROM scratch</c> starts from: no layers, a config that names only the platform. It is a
/// starting point for <see cref="ImageBuilder"/>: an OCI manifest without layers breaks the spec's schema, so it is
/// not meant to be pushed as it is.
/// </summary>
internal sealed class ScratchImage : IImage
{
    private ScratchImage(Platform platform, ImageFormat format)
    {
        Platform = platform;
        Format = format;
        Config = RawJson<ImageConfigFile>.Serialize(new ImageConfigFile
        {
            Architecture = platform.Architecture,
            Os = platform.Os,
            OsVersion = platform.OsVersion,
            OsFeatures = platform.OsFeatures,
            Variant = platform.Variant,
            Config = new ContainerConfig(),
            RootFs = new RootFs(),
        });
        Manifest = RawJson<ImageManifest>.Serialize(new ImageManifest
        {
            MediaType = ImageFormats.ManifestMediaType(format),
            Config = Config.ToDescriptor(ImageFormats.ConfigMediaType(format)),
            Layers = [],
        });
    }

    /// <summary>The platform the config names.</summary>
    public Platform Platform { get; }

    /// <summary>The media type family of the manifest and config.</summary>
    public ImageFormat Format { get; }

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest { get; }

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config { get; }

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers => [];

    /// <summary>The empty image for <paramref name="platform"/>, in <paramref name="format"/> (OCI unless told otherwise).</summary>
    public static ScratchImage For(Platform platform, ImageFormat format = ImageFormat.Oci)
    {
        ArgumentNullException.ThrowIfNull(platform);
        return new ScratchImage(platform, format);
    }
}
