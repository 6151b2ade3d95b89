using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// Writes the files kaniko writes after a build, byte for byte in its formats, so pipelines that read them keep
/// working: <c>--digest-file</c> (the digest, no newline), <c>--image-name-with-digest-file</c>
/// (<c>REPOSITORY@DIGEST</c> lines) and <c>--image-name-tag-with-digest-file</c> (<c>REPOSITORY:TAG@DIGEST</c>
/// lines), one line per destination, each ending in a newline. Missing parent directories are created. A file
/// that is mounted (Kubernetes' <c>/dev/termination-log</c>) or a device is written in place.
/// </summary>
internal static class DigestFileWriter
{
    /// <summary>Writes <paramref name="digest"/> alone, as kaniko's <c>--digest-file</c> does.</summary>
    public static Task WriteDigestAsync(string path, Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return WriteAsync(path, digest.ToString(), cancellationToken);
    }

    /// <summary>Writes <c>REPOSITORY@DIGEST</c> for each destination (<c>--image-name-with-digest-file</c>).</summary>
    public static Task WriteImageNameWithDigestAsync(
        string path, IEnumerable<ImageReference> destinations, Digest digest, CancellationToken cancellationToken = default) =>
        WriteLinesAsync(path, "--image-name-with-digest-file", destinations, reference => reference.Context + "@" + digest, cancellationToken);

    /// <summary>
    /// Writes <c>REPOSITORY:TAG@DIGEST</c> for each destination (<c>--image-name-tag-with-digest-file</c>); a
    /// destination without a tag is tagged <c>latest</c>, as the push that goes with it is.
    /// </summary>
    public static Task WriteImageNameTagWithDigestAsync(
        string path, IEnumerable<ImageReference> destinations, Digest digest, CancellationToken cancellationToken = default) =>
        WriteLinesAsync(
            path, "--image-name-tag-with-digest-file", destinations,
            reference => reference.Context + ":" + (reference.Tag ?? ImageReference.DefaultTag) + "@" + digest, cancellationToken);

    private static Task WriteLinesAsync(
        string path, string option, IEnumerable<ImageReference> destinations, Func<ImageReference, string> line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(destinations);
        var list = destinations.ToList();
        if (list.Count == 0)
        {
            throw new KanikoException(
                DiagnosticCodes.DigestFileNeedsDestination,
                string.Format(CultureInfo.InvariantCulture, Strings.DigestFileNeedsDestination, option));
        }

        return WriteAsync(path, Lines(list, line), cancellationToken);
    }

    private static string Lines(IEnumerable<ImageReference> destinations, Func<ImageReference, string> line)
    {
        var builder = new StringBuilder();
        foreach (var reference in destinations)
        {
            builder.Append(line(reference)).Append('\n');
        }

        return builder.ToString();
    }

    // A mounted file (the termination log of a Kubernetes container) or a device is written in place, as kaniko
    // does; anything else is replaced at once, so a reader never sees half a file.
    private static Task WriteAsync(string path, string content, CancellationToken cancellationToken) =>
        OutputFiles.GuardAsync(path, () => OutputFiles.MustWriteInPlace(path)
            ? OutputFiles.WriteInPlaceAsync(path, Encoding.UTF8.GetBytes(content), cancellationToken)
            : OutputFiles.WriteAtomicallyAsync(path, Encoding.UTF8.GetBytes(content), cancellationToken));
}
