using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// An image reference was resolved to the manifest of one platform's image: what a provenance attestation records
/// as a resolved dependency of the build.
/// </summary>
/// <param name="Reference">The reference as asked for (a tag or a digest).</param>
/// <param name="Digest">The manifest digest of the image opened.</param>
/// <param name="Platform">The platform of the index entry chosen, or null when the reference named a single image.</param>
internal sealed record ImageResolvedEvent(ImageReference Reference, Digest Digest, Platform? Platform) : Diagnostics.BuildEvent;
