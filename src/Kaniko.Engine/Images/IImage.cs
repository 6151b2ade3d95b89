using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>An image whose manifest and config are known; its layers are fetched only when opened.</summary>
public interface IImage
{
    /// <summary>The manifest, exact bytes kept.</summary>
    RawJson<ImageManifest> Manifest { get; }

    /// <summary>The config, exact bytes kept.</summary>
    RawJson<ImageConfigFile> Config { get; }

    /// <summary>The layers, in manifest order.</summary>
    IReadOnlyList<ILayer> Layers { get; }
}

/// <summary>An image index and the images it lists.</summary>
public interface IImageIndex
{
    /// <summary>The index, exact bytes kept.</summary>
    RawJson<ImageIndex> Index { get; }

    /// <summary>The images, in index order.</summary>
    IReadOnlyList<IImage> Manifests { get; }
}
