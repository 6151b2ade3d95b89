namespace Kaniko.Engine.Layers;

/// <summary>How <see cref="LayerWriter"/> compresses the tar of a layer.</summary>
internal enum LayerCompression
{
    /// <summary>gzip (RFC 1952): <c>application/vnd.oci.image.layer.v1.tar+gzip</c>, readable by every runtime.</summary>
    Gzip,

    /// <summary>Zstandard: <c>application/vnd.oci.image.layer.v1.tar+zstd</c>, OCI manifests only.</summary>
    Zstd,
}
