using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Fetching;

/// <summary>A URL source of ADD downloaded to a host file, with the metadata BuildKit's HTTP source gives it.</summary>
/// <param name="Url">The URL as written in the Dockerfile.</param>
/// <param name="HostPath">The downloaded bytes (owned by the caller, who deletes the folder it was downloaded into).</param>
/// <param name="FileName">The name the file gets in the image when the destination is a folder: the URL path's last
/// segment, or <c>__unnamed__</c> (dockerfile2llb passes this name to the HTTP source, so <c>Content-Disposition</c> is not used).</param>
/// <param name="Digest">The sha256 digest of the content (or the algorithm of <c>--checksum</c> when given).</param>
/// <param name="Size">The content length in bytes.</param>
/// <param name="ModificationTime">The <c>Last-Modified</c> time of the answer, else the Unix epoch.</param>
internal sealed record DownloadedFile(string Url, string HostPath, string FileName, Digest Digest, long Size, DateTimeOffset ModificationTime)
{
    /// <summary>The permissions BuildKit's HTTP source gives a downloaded file: 0600.</summary>
    public const UnixFileMode DefaultMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The image path the file lands on for <paramref name="destination"/> (an absolute image path): inside it when it
    /// ends with <c>/</c>, else the destination itself. (A destination that is an existing folder of the image also
    /// takes the file inside it; the executor, which knows the image, passes it with a trailing slash then.)
    /// </summary>
    public string TargetPath(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.EndsWith('/') ? destination + FileName : destination;
    }

    /// <summary>The layer entry for the file at <see cref="TargetPath"/>: mode 0600, owner 0:0, mtime as downloaded.</summary>
    public LayerEntry ToLayerEntry(string destination) =>
        LayerEntry.HostFile(TargetPath(destination), HostPath, DefaultMode) with { ModificationTime = ModificationTime };
}
