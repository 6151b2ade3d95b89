using System.Collections.Concurrent;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Attestations;

/// <summary>Passes every event on and remembers the images the build resolved, for the provenance and the SBOM's ancestor.</summary>
internal sealed class ResolvedImagesRecorder : IBuildEventSink
{
    private readonly IBuildEventSink _inner;
    private readonly ConcurrentQueue<ImageResolvedEvent> _resolved = new();

    /// <summary>A recorder in front of <paramref name="inner"/>.</summary>
    public ResolvedImagesRecorder(IBuildEventSink inner)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    /// <inheritdoc />
    public void Report(BuildEvent buildEvent)
    {
        if (buildEvent is ImageResolvedEvent image)
        {
            _resolved.Enqueue(image);
        }

        _inner.Report(buildEvent);
    }

    /// <summary>The images resolved for <paramref name="platform"/> (or <paramref name="buildPlatform"/>, for build-platform stages), each once.</summary>
    public IReadOnlyList<ResolvedImage> For(Platform platform, Platform buildPlatform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(buildPlatform);
        return [.. _resolved
            .Where(e => e.Platform is null || platform.Matches(e.Platform) || buildPlatform.Matches(e.Platform))
            .Select(e => new ResolvedImage(e.Reference.ToString(), e.Digest))
            .Distinct()];
    }

    /// <summary>The digest <paramref name="reference"/> resolved to for <paramref name="platform"/>, or null.</summary>
    public Digest? DigestOf(ImageReference reference, Platform platform)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(platform);
        return _resolved.Where(e => e.Reference.ToString() == reference.ToString() && (e.Platform is null || platform.Matches(e.Platform)))
            .Select(e => (Digest?)e.Digest).FirstOrDefault();
    }
}
