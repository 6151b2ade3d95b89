using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Oci;

namespace Kaniko.Cli;

/// <summary>What the tool says after a build: where the image went, its digest, size, layers and the time taken.</summary>
/// <param name="References">The references pushed.</param>
/// <param name="Outputs">The files written, described (<c>tarball PATH</c>, <c>OCI layout PATH</c>).</param>
/// <param name="Digest">The digest the tag names: the image manifest's, or the index's with several platforms or attestations.</param>
/// <param name="Images">Each platform's image.</param>
/// <param name="Size">Manifest, config and compressed layers, in bytes.</param>
/// <param name="Layers">How many layers the image has.</param>
/// <param name="ReusedLayers">How many of them are base-image layers kept as they are.</param>
/// <param name="Elapsed">The time from the start of the build to its end.</param>
internal sealed record BuildSummary(
    IReadOnlyList<ImageReference> References,
    IReadOnlyList<string> Outputs,
    Digest Digest,
    IReadOnlyList<PlatformImage> Images,
    long Size,
    int Layers,
    int ReusedLayers,
    TimeSpan Elapsed)
{
    /// <summary>
    /// Whether <see cref="Digest"/> names an index (several platforms, or attestations beside the image), so that each
    /// image's own digest is worth its line.
    /// </summary>
    internal bool IsIndex => Images.Count > 1 || Images.Any(i => i.Digest != Digest);

    /// <summary>How many layers the build made.</summary>
    internal int NewLayers => Layers - ReusedLayers;

    /// <summary>The summary of <paramref name="result"/>, built from <paramref name="request"/> in <paramref name="elapsed"/>.</summary>
    internal static BuildSummary Of(BuildRequest request, BuildResult result, TimeSpan elapsed)
    {
        var outputs = new List<string>();
        if (request.TarPath is { } tarPath)
        {
            outputs.Add("tarball " + tarPath);
        }

        if (request.OciLayoutPath is { } layoutPath)
        {
            // The layout holds OCI media types unless --image-format docker: its digest may then not be the pushed one.
            outputs.Add(result.OciLayoutDigest is { } layoutDigest && layoutDigest != result.Digest
                ? $"OCI layout {layoutPath} (digest {layoutDigest})"
                : "OCI layout " + layoutPath);
        }

        return new BuildSummary(result.References, outputs, result.Digest, result.Images, result.Size, result.LayerCount, result.ReusedLayerCount, elapsed);
    }

    /// <summary>The summary's lines in the text formats (documented in <c>docs/cli.md</c>).</summary>
    internal IEnumerable<string> TextLines()
    {
        foreach (var reference in References)
        {
            yield return $"Pushed {reference}";
        }

        foreach (var output in Outputs)
        {
            yield return "Wrote " + output;
        }

        if (IsIndex)
        {
            foreach (var image in Images)
            {
                yield return $"Image {image.Platform}: {image.Digest}";
            }

            yield return $"Index digest: {Digest}";
        }
        else
        {
            yield return $"Digest: {Digest}";
        }

        yield return string.Format(CultureInfo.InvariantCulture, "Size: {0} ({1} bytes)", ConsoleEventSink.FormatSize(Size), Size);
        yield return string.Format(CultureInfo.InvariantCulture, "Layers: {0} ({1} new, {2} reused)", Layers, NewLayers, ReusedLayers);
        yield return string.Format(CultureInfo.InvariantCulture, "Time: {0:0.00} s", Elapsed.TotalSeconds);
    }
}
