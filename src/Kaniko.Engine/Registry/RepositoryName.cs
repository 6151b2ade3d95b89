using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>A repository on a registry, where manifests and blobs live: <c>127.0.0.1:5000/team/app</c>.</summary>
/// <param name="Registry">The registry, <c>host[:port]</c>.</param>
/// <param name="Repository">The repository path, for example <c>library/busybox</c>.</param>
internal sealed record RepositoryName(string Registry, string Repository)
{
    /// <summary>The repository an image reference points into.</summary>
    public static RepositoryName From(ImageReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return new RepositoryName(reference.Registry, reference.Repository);
    }

    /// <summary><c>registry/repository</c>.</summary>
    public override string ToString() => Registry + "/" + Repository;
}

/// <summary>A manifest or index as the registry served it.</summary>
/// <param name="Reference">The reference it was pulled by.</param>
/// <param name="MediaType">Its media type, from <c>Content-Type</c> or, failing that, its <c>mediaType</c> field.</param>
/// <param name="Bytes">The exact bytes served.</param>
/// <param name="Digest">The digest of <paramref name="Bytes"/>, verified against the reference and the registry's header.</param>
internal sealed record ManifestResponse(ImageReference Reference, MediaType MediaType, ReadOnlyMemory<byte> Bytes, Digest Digest)
{
    /// <summary>A descriptor of this manifest.</summary>
    public Descriptor ToDescriptor() => new() { MediaType = MediaType, Digest = Digest, Size = Bytes.Length };
}

/// <summary>What pushing one blob took.</summary>
internal enum BlobPushOutcome
{
    /// <summary>The repository had it already (HEAD answered 200): nothing was sent.</summary>
    AlreadyPresent,

    /// <summary>The registry mounted it from another repository (201 to the mount request): nothing was sent.</summary>
    Mounted,

    /// <summary>Its bytes were uploaded.</summary>
    Uploaded,
}

/// <summary>One blob handled by a push.</summary>
/// <param name="Repository">The repository pushed to.</param>
/// <param name="Digest">The blob.</param>
/// <param name="Outcome">What it took.</param>
internal sealed record BlobPush(RepositoryName Repository, Digest Digest, BlobPushOutcome Outcome);

/// <summary>The result of <see cref="ImagePusher"/>.</summary>
/// <param name="Digest">The digest of the pushed manifest or index.</param>
/// <param name="References">The references it was pushed to.</param>
/// <param name="Blobs">Every blob handled, with what it took (child images' blobs included).</param>
internal sealed record PushResult(Digest Digest, IReadOnlyList<ImageReference> References, IReadOnlyList<BlobPush> Blobs);
