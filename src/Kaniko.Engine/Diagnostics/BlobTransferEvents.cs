namespace Kaniko.Engine.Diagnostics;

/// <summary>Which way a blob's bytes travel.</summary>
public enum BlobTransferDirection
{
    /// <summary>A base-image layer downloaded into the local layer cache.</summary>
    Pull,

    /// <summary>A blob uploaded to a destination repository.</summary>
    Push,
}

/// <summary>
/// The bytes of one blob start to travel: a download into the cache or an upload (a blob the registry already has
/// or mounts sends no bytes and has no transfer events). A retry starts the same transfer again from zero.
/// Carries no credentials: <see cref="Repository"/> is the registry host and repository path only.
/// </summary>
/// <param name="Direction">Pull or push.</param>
/// <param name="Repository">The repository the blob comes from or goes to.</param>
/// <param name="Digest">The blob's digest, <c>algorithm:hex</c>.</param>
/// <param name="Size">The blob's size in bytes.</param>
public sealed record BlobTransferStartedEvent(BlobTransferDirection Direction, string Repository, string Digest, long Size) : BuildEvent;

/// <summary>
/// A blob transfer has moved on. Reported at most every a fixed interval (a tenth of a second) per blob,
/// never per buffer, so a host may render every one it gets.
/// </summary>
/// <param name="Direction">Pull or push.</param>
/// <param name="Digest">The blob's digest, <c>algorithm:hex</c>.</param>
/// <param name="Transferred">The bytes sent or received so far in this attempt.</param>
/// <param name="Size">The blob's size in bytes.</param>
public sealed record BlobTransferProgressEvent(BlobTransferDirection Direction, string Digest, long Transferred, long Size) : BuildEvent;

/// <summary>A blob transfer completed, its bytes verified against the digest.</summary>
/// <param name="Direction">Pull or push.</param>
/// <param name="Repository">The repository the blob came from or went to.</param>
/// <param name="Digest">The blob's digest, <c>algorithm:hex</c>.</param>
/// <param name="Size">The blob's size in bytes.</param>
/// <param name="Elapsed">The time from the first byte requested to the end, retries included.</param>
public sealed record BlobTransferFinishedEvent(BlobTransferDirection Direction, string Repository, string Digest, long Size, TimeSpan Elapsed) : BuildEvent;
