using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>What a build produced.</summary>
/// <param name="Digest">The image's manifest digest, or the image index's digest when several platforms were built.</param>
/// <param name="References">The references the image was pushed to, in the order given (none with <c>--no-push</c>).</param>
/// <param name="Size">The image's size: manifest, config and every layer blob, compressed, in bytes (with several platforms: the index and each image, a shared blob counted once).</param>
/// <param name="ManifestMediaType">The manifest's media type (OCI, or Docker schema 2 for a Docker base); the index's for several platforms.</param>
/// <param name="Warnings">The warnings of planning and running the build, in the order found.</param>
public sealed record BuildResult(
    Digest Digest,
    IReadOnlyList<ImageReference> References,
    long Size,
    MediaType ManifestMediaType,
    IReadOnlyList<BuildWarning> Warnings)
{
    /// <summary>What happened to each blob of the push (uploaded, mounted, already there); the engine's tests read it.</summary>
    internal IReadOnlyList<BlobPush> PushedBlobs { get; init; } = [];

    /// <summary>The image built for each platform, in the order asked; one entry for a single-platform build.</summary>
    public IReadOnlyList<PlatformImage> Images { get; init; } = [];

    /// <summary>How many layers the image has (with several platforms: the distinct layers of all the images).</summary>
    public int LayerCount { get; init; }

    /// <summary>How many of <see cref="LayerCount"/> are base-image layers taken as they are; the others are new.</summary>
    public int ReusedLayerCount { get; init; }

    /// <summary>
    /// The digest of the image (or index) written into the OCI layout, <c>null</c> without one. It differs from
    /// <see cref="Digest"/> when the layout got OCI media types and the pushed image kept a Docker base's.
    /// </summary>
    public Digest? OciLayoutDigest { get; init; }
}

/// <summary>The image a build produced for one platform.</summary>
/// <param name="Platform">The platform (<c>TARGETPLATFORM</c>).</param>
/// <param name="Digest">The image's manifest digest.</param>
public sealed record PlatformImage(Platform Platform, Digest Digest);
