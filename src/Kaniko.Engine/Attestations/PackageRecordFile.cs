namespace Kaniko.Engine.Attestations;

/// <summary>A package database or deps file read from an image: its path, its bytes and the layer that wrote it.</summary>
/// <param name="Path">The path in the image, without a leading slash (<c>var/lib/dpkg/status</c>).</param>
/// <param name="Content">The file's bytes.</param>
/// <param name="Layer">The diff ID of the layer that last wrote it.</param>
internal sealed record PackageRecordFile(string Path, ReadOnlyMemory<byte> Content, string Layer)
{
    /// <summary>The dpkg database of Debian and Ubuntu.</summary>
    public const string DpkgStatus = "var/lib/dpkg/status";

    /// <summary>The folder of one-file-per-package dpkg records distroless images use instead.</summary>
    public const string DpkgStatusDirectory = "var/lib/dpkg/status.d/";

    /// <summary>Alpine's apk database.</summary>
    public const string ApkInstalled = "lib/apk/db/installed";

    /// <summary>
    /// Whether the file at <paramref name="path"/> (no leading slash) is one the SBOM reads: the package databases,
    /// the <c>os-release</c> files that name the distribution, every <c>*.deps.json</c>, and a shared framework's
    /// <c>.version</c>. Nothing else of the image is read.
    /// </summary>
    public static bool IsWanted(string path) =>
        path is DpkgStatus or ApkInstalled or "etc/os-release" or "usr/lib/os-release"
        || (path.StartsWith(DpkgStatusDirectory, StringComparison.Ordinal) && !path.EndsWith(".md5sums", StringComparison.Ordinal)
            && path.IndexOf('/', DpkgStatusDirectory.Length) < 0)
        || path.EndsWith(".deps.json", StringComparison.Ordinal)
        || (path.EndsWith("/.version", StringComparison.Ordinal) && DotnetFrameworks.FrameworkOf(path) is not null);
}
