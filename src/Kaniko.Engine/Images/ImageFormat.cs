using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>The family of media types an image's manifest, config and layers use.</summary>
internal enum ImageFormat
{
    /// <summary>OCI image manifest, config and layer types.</summary>
    Oci,

    /// <summary>Docker image manifest schema 2: Docker manifest, container config and <c>rootfs.diff</c> layer types.</summary>
    Docker,
}

/// <summary>The media types of each <see cref="ImageFormat"/>, and the translation of layer types between them.</summary>
internal static class ImageFormats
{
    /// <summary>The format of <paramref name="manifest"/>: Docker when its media type (or, without one, its config's) is Docker's.</summary>
    public static ImageFormat Of(ImageManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var type = manifest.MediaType ?? manifest.Config.MediaType;
        return type.IsDocker ? ImageFormat.Docker : ImageFormat.Oci;
    }

    /// <summary>The manifest media type of <paramref name="format"/>.</summary>
    public static MediaType ManifestMediaType(ImageFormat format) =>
        format == ImageFormat.Docker ? MediaType.DockerManifest : MediaType.OciManifest;

    /// <summary>The index (or manifest list) media type of <paramref name="format"/>.</summary>
    public static MediaType IndexMediaType(ImageFormat format) =>
        format == ImageFormat.Docker ? MediaType.DockerManifestList : MediaType.OciIndex;

    /// <summary>The config media type of <paramref name="format"/>.</summary>
    public static MediaType ConfigMediaType(ImageFormat format) =>
        format == ImageFormat.Docker ? MediaType.DockerConfig : MediaType.OciConfig;

    /// <summary>
    /// The media type a layer of type <paramref name="layerType"/> takes in a manifest of <paramref name="format"/>:
    /// the same bytes under that family's name (gzip, plain tar, foreign). Types of neither family pass unchanged;
    /// zstd has no Docker name and throws <c>KANIKO3310</c>.
    /// </summary>
    public static MediaType LayerMediaType(ImageFormat format, MediaType layerType)
    {
        if (format == ImageFormat.Oci)
        {
            return layerType == MediaType.DockerLayerGzip ? MediaType.OciLayerGzip
                : layerType == MediaType.DockerLayer ? MediaType.OciLayer
                : layerType == MediaType.DockerForeignLayerGzip ? MediaType.OciLayerNondistributableGzip
                : layerType;
        }

        if (layerType.IsZstd)
        {
            throw new KanikoException(
                DiagnosticCodes.LayerNotAllowedInManifest,
                string.Format(CultureInfo.InvariantCulture, Strings.LayerNotAllowedInManifest, layerType, MediaType.DockerManifest));
        }

        return layerType == MediaType.OciLayerGzip ? MediaType.DockerLayerGzip
            : layerType == MediaType.OciLayer ? MediaType.DockerLayer
            : layerType == MediaType.OciLayerNondistributableGzip ? MediaType.DockerForeignLayerGzip
            : layerType;
    }
}
