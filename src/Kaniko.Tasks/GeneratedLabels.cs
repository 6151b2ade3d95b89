using System.Globalization;
using Kaniko.Engine;

namespace Kaniko.Tasks;

/// <summary>
/// The generated labels only the task can know: the build time and the base image's name and digest. The targets
/// generate the others from project properties, as the .NET SDK's <c>ComputeContainerConfig</c> does.
/// </summary>
internal static class GeneratedLabels
{
    /// <summary>The label the .NET SDK gives the base image's reference.</summary>
    internal const string BaseName = "org.opencontainers.image.base.name";

    /// <summary>The label the .NET SDK gives the digest the base image resolved to.</summary>
    internal const string BaseDigest = "org.opencontainers.image.base.digest";

    /// <summary>The base image's labels, for the image the target stage starts from (none for <c>scratch</c>).</summary>
    internal static IEnumerable<KeyValuePair<string, string>> ForBase(BaseImageDigests bases, bool name, bool digest)
    {
        if (bases.TargetBase is not { } image)
        {
            yield break;
        }

        if (name)
        {
            yield return KeyValuePair.Create(BaseName, image);
        }

        if (digest && bases.TargetBaseDigest is { } resolved)
        {
            yield return KeyValuePair.Create(BaseDigest, resolved.ToString());
        }
    }

    /// <summary>
    /// Each key with the build time in the .NET SDK's round-trip format; the fixed time of a reproducible build
    /// (<c>SOURCE_DATE_EPOCH</c>, <c>KanikoReproducible</c>) when there is one, so equal inputs still give equal digests.
    /// </summary>
    internal static IEnumerable<KeyValuePair<string, string>> Created(IEnumerable<string> keys, BuildRequest request)
    {
        var time = request.SourceDateEpoch ?? (request.Reproducible ? DateTimeOffset.UnixEpoch : DateTimeOffset.UtcNow);
        var text = time.UtcDateTime.ToString("o", CultureInfo.InvariantCulture);
        return keys.Where(k => !string.IsNullOrWhiteSpace(k)).Select(k => KeyValuePair.Create(k.Trim(), text));
    }
}
