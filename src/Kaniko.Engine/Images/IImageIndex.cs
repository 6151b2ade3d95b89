using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>A multi-platform image: an OCI image index (or Docker manifest list) and the images it lists.</summary>
internal interface IImageIndex
{
    /// <summary>The index, with the exact bytes its digest is computed over.</summary>
    RawJson<ImageIndex> Index { get; }

    /// <summary>The images the index lists, in index order.</summary>
    IReadOnlyList<IImage> Manifests { get; }
}
