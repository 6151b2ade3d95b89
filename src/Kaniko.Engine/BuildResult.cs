using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>What a build produced.</summary>
/// <param name="Digest">The image's manifest digest.</param>
/// <param name="References">The references the image was pushed to, in the order given (none with <c>--no-push</c>).</param>
/// <param name="Size">The image's size: manifest, config and every layer blob, compressed, in bytes.</param>
/// <param name="ManifestMediaType">The manifest's media type (OCI, or Docker schema 2 for a Docker base).</param>
/// <param name="Warnings">The warnings of planning and running the build, in the order found.</param>
/// <param name="PushedBlobs">What each blob of each push took (uploaded, mounted from the base repository, already present).</param>
public sealed record BuildResult(
    Digest Digest,
    IReadOnlyList<ImageReference> References,
    long Size,
    MediaType ManifestMediaType,
    IReadOnlyList<BuildWarning> Warnings,
    IReadOnlyList<BlobPush> PushedBlobs);
