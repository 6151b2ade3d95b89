using Kaniko.Engine.Layers;

namespace Kaniko.Engine;

/// <summary>How the layers the build makes are compressed (<c>--compression</c>).</summary>
public enum CompressionKind
{
    /// <summary>gzip: readable by every runtime. The default.</summary>
    Gzip,

    /// <summary>Zstandard: smaller and faster, OCI manifests only.</summary>
    Zstd,
}

/// <summary>How new layers are written (<c>--compression</c>, <c>--compression-level</c>).</summary>
public sealed record LayerSettings
{
    /// <summary>gzip at its default level.</summary>
    public static LayerSettings Default { get; } = new();

    /// <summary>The compression of new layers.</summary>
    public CompressionKind Compression { get; init; } = CompressionKind.Gzip;

    /// <summary>The compression level, or <c>null</c> for the compression's default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>
    /// Checks <see cref="CompressionLevel"/> against <see cref="Compression"/>'s range (gzip 0–9; zstd the library's
    /// range); <c>KANIKO3305</c> when it is out of range.
    /// </summary>
    public void Validate() => LayerCompressionCodec.ResolveLevel(ToOptions().Compression, CompressionLevel);

    /// <summary>The layer writer's own options.</summary>
    internal LayerWriterOptions ToOptions() => new()
    {
        Compression = Compression == CompressionKind.Zstd ? LayerCompression.Zstd : LayerCompression.Gzip,
        CompressionLevel = CompressionLevel,
    };
}
