using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Attestations;

/// <summary>What every attestation of one image names: the image and where it came from.</summary>
/// <param name="Name">The image's repository (<c>registry/repo</c>) as pushed, or <c>image</c> when it has no destination.</param>
/// <param name="Manifest">The image manifest's digest, the subject of the statements.</param>
/// <param name="Platform">The platform the image was built for.</param>
/// <param name="BaseImage">The final stage's base image (reference and digest), or null for <c>scratch</c>.</param>
internal sealed record AttestedImage(string Name, Digest Manifest, Platform Platform, ResolvedImage? BaseImage);

/// <summary>An image reference as the Dockerfile wrote it (expanded), with the manifest digest it resolved to.</summary>
/// <param name="Reference">The reference, for example <c>mcr.example/dotnet/aspnet:10.0</c>.</param>
/// <param name="Digest">The manifest digest of the platform's image.</param>
internal sealed record ResolvedImage(string Reference, Digest Digest);
