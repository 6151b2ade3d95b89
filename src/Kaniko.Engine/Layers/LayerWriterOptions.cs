namespace Kaniko.Engine.Layers;

/// <summary>How <see cref="LayerWriter"/> compresses layers.</summary>
internal sealed record LayerWriterOptions
{
    /// <summary>The defaults: gzip at level 6.</summary>
    public static LayerWriterOptions Default { get; } = new();

    /// <summary>The compression of the blob; gzip unless told otherwise.</summary>
    public LayerCompression Compression { get; init; } = LayerCompression.Gzip;

    /// <summary>The compression level, or null for the compression's default (see <see cref="LayerCompressionCodec"/>).</summary>
    public int? CompressionLevel { get; init; }
}
