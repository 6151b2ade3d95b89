using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>A layer listed under another family's name for the same bytes (an OCI gzip layer in a Docker manifest).</summary>
internal sealed class RetypedLayer(ILayer inner, MediaType mediaType) : IWrappedLayer
{
    public ILayer Inner => inner;

    public Digest Digest => inner.Digest;

    public Digest DiffId => inner.DiffId;

    public long Size => inner.Size;

    public MediaType MediaType => mediaType;

    public static ILayer As(ILayer layer, MediaType mediaType) =>
        layer.MediaType == mediaType ? layer
        : layer is RetypedLayer retyped ? As(retyped.Inner, mediaType)
        : new RetypedLayer(layer, mediaType);

    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => inner.OpenCompressedAsync(cancellationToken);

    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => inner.OpenUncompressedAsync(cancellationToken);
}
