namespace Kaniko.Engine.Outputs;

/// <summary>The file layout inside a tarball written by <see cref="TarballDestination"/>.</summary>
internal enum TarballLayout
{
    /// <summary>
    /// As Docker 25 and later save images: blobs under <c>blobs/sha256/</c>, <c>manifest.json</c> pointing at them,
    /// and <c>oci-layout</c> plus <c>index.json</c>, so the same file is also an OCI image layout archive.
    /// </summary>
    Oci,

    /// <summary>
    /// The layout older tools write: <c>manifest.json</c>, the config as <c>&lt;hex&gt;.json</c> and each layer
    /// blob as <c>&lt;hex&gt;.tar.gz</c> (or <c>.tar.zst</c>, <c>.tar</c>) at the top.
    /// </summary>
    Classic,
}
