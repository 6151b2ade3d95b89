namespace Kaniko.Engine;

/// <summary>
/// The media types of the image a build writes (<c>--image-format</c>, BuildKit's <c>oci-mediatypes</c>, buildah's
/// <c>--format</c>). Unset (<see cref="BuildRequest.ImageFormat"/> <c>null</c>), pushes keep the base image's family
/// and an OCI layout gets OCI media types.
/// </summary>
public enum ImageFormat
{
    /// <summary>OCI image manifest, config and layer media types (a Docker-format base is converted).</summary>
    Oci,

    /// <summary>Docker image manifest v2 schema 2: Docker manifest, container config and <c>rootfs.diff</c> layer types.</summary>
    Docker,
}

/// <summary>The engine's own name for each <see cref="ImageFormat"/>.</summary>
internal static class ImageFormatMapping
{
    /// <summary>The image model's format for <paramref name="format"/>.</summary>
    public static Images.ImageFormat ToImages(this ImageFormat format) =>
        format == ImageFormat.Docker ? Images.ImageFormat.Docker : Images.ImageFormat.Oci;
}
