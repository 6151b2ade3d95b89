using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// A single-platform image: its manifest and config are known (with their exact bytes), its layers are fetched only
/// when opened.
/// </summary>
internal interface IImage
{
    /// <summary>The manifest, with the exact bytes its digest is computed over.</summary>
    RawJson<ImageManifest> Manifest { get; }

    /// <summary>The config blob, with the exact bytes the manifest's config descriptor names.</summary>
    RawJson<ImageConfigFile> Config { get; }

    /// <summary>The layers, in manifest order.</summary>
    IReadOnlyList<ILayer> Layers { get; }
}
