using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// Gathers one image per platform into an image index (OCI) or a manifest list (Docker), serialised once by
/// <see cref="Build"/>. Each entry names its platform, taken from the image's config unless given.
/// </summary>
internal sealed class ImageIndexBuilder
{
    private readonly List<(IImage Image, Descriptor Descriptor)> _entries = [];
    private readonly SortedDictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private readonly ImageFormat _format;

    /// <summary>Starts an empty index of <paramref name="indexFormat"/> (OCI unless told otherwise).</summary>
    public ImageIndexBuilder(ImageFormat indexFormat = ImageFormat.Oci)
    {
        _format = indexFormat;
    }

    /// <summary>Adds <paramref name="image"/>; its descriptor names <paramref name="platform"/> or, without one, its config's platform.</summary>
    public ImageIndexBuilder Add(IImage image, Platform? platform = null, IReadOnlyDictionary<string, string>? entryAnnotations = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        var config = image.Config.Value;
        var manifest = image.Manifest.Value;
        var descriptor = image.Manifest.ToDescriptor(manifest.MediaType ?? ImageFormats.ManifestMediaType(ImageFormats.Of(manifest))) with
        {
            Platform = platform ?? new Platform
            {
                Os = config.Os,
                Architecture = config.Architecture,
                Variant = string.IsNullOrEmpty(config.Variant) ? null : config.Variant,
                OsVersion = string.IsNullOrEmpty(config.OsVersion) ? null : config.OsVersion,
                OsFeatures = config.OsFeatures is { Count: > 0 } ? config.OsFeatures : null,
            },
            Annotations = entryAnnotations is { Count: > 0 } ? entryAnnotations : null,
        };
        _entries.Add((image, descriptor));
        return this;
    }

    /// <summary>Sets an annotation of the index itself.</summary>
    public ImageIndexBuilder WithAnnotation(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _annotations[key] = value;
        return this;
    }

    /// <summary>Serialises the index and returns it with its images.</summary>
    public BuiltImageIndex Build()
    {
        var index = RawJson<ImageIndex>.Serialize(new ImageIndex
        {
            SchemaVersion = 2,
            MediaType = ImageFormats.IndexMediaType(_format),
            Manifests = _entries.Select(e => e.Descriptor).ToList(),
            Annotations = _annotations.Count > 0 ? new SortedDictionary<string, string>(_annotations, StringComparer.Ordinal) : null,
        });
        return new BuiltImageIndex(index, _entries.Select(e => e.Image).ToList(), _format);
    }
}
