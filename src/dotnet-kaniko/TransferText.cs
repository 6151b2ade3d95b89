using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Cli;

/// <summary>The words and numbers the text renderers print for blob transfers.</summary>
internal static class TransferText
{
    /// <summary>A digest cut to its algorithm and the first 12 hex digits, as docker shows layer ids.</summary>
    internal static string ShortDigest(string digest) => digest.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 && digest.Length - colon - 1 > 12
        ? digest[..(colon + 13)]
        : digest;

    /// <summary>The line printed when a transfer starts: <c>pulling sha256:0123456789ab (12.3 MiB) from REPO</c>.</summary>
    internal static string Started(BlobTransferStartedEvent started) => started.Direction == BlobTransferDirection.Pull
        ? $"pulling {ShortDigest(started.Digest)} ({ConsoleEventSink.FormatSize(started.Size)}) from {started.Repository}"
        : $"pushing {ShortDigest(started.Digest)} ({ConsoleEventSink.FormatSize(started.Size)}) to {started.Repository}";

    /// <summary>The line printed when a transfer ends: <c>pulled sha256:0123456789ab 12.3 MiB in 1.20 s (10.3 MiB/s)</c>.</summary>
    internal static string Finished(BlobTransferFinishedEvent finished) => string.Format(
        CultureInfo.InvariantCulture,
        "{0} {1} {2} in {3:0.00} s ({4})",
        finished.Direction == BlobTransferDirection.Pull ? "pulled" : "pushed",
        ShortDigest(finished.Digest),
        ConsoleEventSink.FormatSize(finished.Size),
        finished.Elapsed.TotalSeconds,
        Speed(finished.Size, finished.Elapsed));

    /// <summary>The label of a live bar: <c>pull sha256:0123456789ab</c>.</summary>
    internal static string Label(BlobTransferDirection direction, string digest) =>
        (direction == BlobTransferDirection.Pull ? "pull " : "push ") + ShortDigest(digest);

    /// <summary>Bytes per second for people; a transfer too fast to time shows as such.</summary>
    internal static string Speed(long bytes, TimeSpan elapsed) =>
        elapsed <= TimeSpan.Zero ? "instant" : ConsoleEventSink.FormatSize((long)(bytes / elapsed.TotalSeconds)) + "/s";
}
