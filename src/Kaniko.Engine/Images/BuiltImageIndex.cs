using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>An index made by <see cref="ImageIndexBuilder"/>, with the exact bytes it was serialised to.</summary>
internal sealed class BuiltImageIndex : IImageIndex
{
    internal BuiltImageIndex(RawJson<ImageIndex> index, IReadOnlyList<IImage> manifests, ImageFormat format)
    {
        Index = index;
        Manifests = manifests;
        Format = format;
    }

    /// <inheritdoc />
    public RawJson<ImageIndex> Index { get; }

    /// <inheritdoc />
    public IReadOnlyList<IImage> Manifests { get; }

    /// <summary>OCI image index or Docker manifest list.</summary>
    public ImageFormat Format { get; }

    /// <summary>The digest of the index.</summary>
    public Digest Digest => Index.Digest;
}
