using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Images;

/// <summary>
/// Derives a new image from a base image (or <see cref="ScratchImage"/>): appends layers and history, changes config
/// fields, the creation time, labels and manifest annotations, then <see cref="Build"/> serialises the config and
/// the manifest once. The manifest keeps the base image's family (OCI or Docker schema 2) unless
/// <see cref="WithFormat"/> says otherwise, and every layer is listed under that family's media type.
/// </summary>
internal sealed class ImageBuilder
{
    private readonly IImage _baseImage;
    private readonly List<(ILayer? Layer, HistoryEntry History, IReadOnlyDictionary<string, string>? Annotations)> _additions = [];
    private readonly SortedDictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private readonly List<Func<ContainerConfig, ContainerConfig>> _configChanges = [];
    private DateTimeOffset? _created;
    private string? _author;
    private ImageFormat _format;

    /// <summary>Starts from <paramref name="baseImage"/>; throws <c>KANIKO3311</c> when its manifest and layers disagree.</summary>
    public ImageBuilder(IImage baseImage)
    {
        ArgumentNullException.ThrowIfNull(baseImage);
        var listed = baseImage.Manifest.Value.Layers.Count;
        if (listed != baseImage.Layers.Count)
        {
            throw Inconsistent(string.Format(
                CultureInfo.InvariantCulture, "the manifest lists {0} layers, the image has {1}", listed, baseImage.Layers.Count));
        }

        _baseImage = baseImage;
        _format = ImageFormats.Of(baseImage.Manifest.Value);
    }

    /// <summary>Starts from the empty image for <paramref name="platform"/>.</summary>
    public static ImageBuilder FromScratch(Platform platform, ImageFormat format = ImageFormat.Oci) =>
        new(ScratchImage.For(platform, format));

    /// <summary>The family of the manifest that <see cref="Build"/> will write.</summary>
    public ImageFormat Format => _format;

    /// <summary>Writes the manifest in <paramref name="imageFormat"/> instead of the base image's family.</summary>
    public ImageBuilder WithFormat(ImageFormat imageFormat)
    {
        _format = imageFormat;
        return this;
    }

    /// <summary>Appends <paramref name="layer"/> on top, with its history entry.</summary>
    /// <param name="layer">The layer; its diff id joins <c>rootfs.diff_ids</c>.</param>
    /// <param name="createdBy">The history's <c>created_by</c>, for example the Dockerfile instruction.</param>
    /// <param name="comment">The history's <c>comment</c>.</param>
    /// <param name="layerAnnotations">Annotations of the layer's manifest descriptor.</param>
    public ImageBuilder AppendLayer(ILayer layer, string? createdBy = null, string? comment = null, IReadOnlyDictionary<string, string>? layerAnnotations = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _additions.Add((layer, new HistoryEntry { CreatedBy = createdBy, Comment = comment }, layerAnnotations));
        return this;
    }

    /// <summary>Records a step that changed only the config (<c>ENV</c>, <c>CMD</c>, ...): a history entry with <c>empty_layer</c>.</summary>
    public ImageBuilder AppendHistory(string createdBy, string? comment = null)
    {
        _additions.Add((null, new HistoryEntry { CreatedBy = createdBy, Comment = comment, EmptyLayer = true }, null));
        return this;
    }

    /// <summary>Changes the container config (<c>Env</c>, <c>Cmd</c>, <c>User</c>, ...); changes apply in order.</summary>
    public ImageBuilder WithConfig(Func<ContainerConfig, ContainerConfig> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _configChanges.Add(change);
        return this;
    }

    /// <summary>Sets (or, with a null value, removes) a config label.</summary>
    public ImageBuilder WithLabel(string key, string? value)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WithConfig(config =>
        {
            var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (existingKey, existingValue) in config.Labels ?? new Dictionary<string, string>())
            {
                labels[existingKey] = existingValue;
            }

            if (value is null)
            {
                labels.Remove(key);
            }
            else
            {
                labels[key] = value;
            }

            return config with { Labels = labels };
        });
    }

    /// <summary>Sets a manifest annotation (OCI's <c>org.opencontainers.image.*</c> keys, for instance).</summary>
    public ImageBuilder WithAnnotation(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _annotations[key] = value;
        return this;
    }

    /// <summary>
    /// Sets the config's <c>created</c> time, which also dates the history entries this builder adds; without it
    /// the base image's time stays and the new history entries carry none, so builds are reproducible.
    /// </summary>
    public ImageBuilder WithCreated(DateTimeOffset time)
    {
        _created = time;
        return this;
    }

    /// <summary>Sets the config's <c>author</c> (BuildKit's <c>MAINTAINER</c>; history entries get no author, as in BuildKit's images).</summary>
    public ImageBuilder WithAuthor(string? imageAuthor)
    {
        _author = imageAuthor;
        return this;
    }

    /// <summary>Serialises the config and the manifest (once) and returns the image.</summary>
    public MutatedImage Build()
    {
        var baseManifest = _baseImage.Manifest.Value;
        var baseConfig = _baseImage.Config.Value;
        var createdText = _created is { } time ? ImageConfigFile.FormatTimestamp(time) : null;

        var descriptors = baseManifest.Layers
            .Select(d => d with { MediaType = ImageFormats.LayerMediaType(_format, d.MediaType) })
            .ToList();
        var layers = _baseImage.Layers.Zip(descriptors, (layer, descriptor) => RetypedLayer.As(layer, descriptor.MediaType)).ToList();
        var diffIds = baseConfig.RootFs.DiffIds.ToList();
        var history = baseConfig.History?.ToList() ?? [];
        foreach (var (layer, entry, layerAnnotations) in _additions)
        {
            history.Add(entry with { Created = createdText });
            if (layer is null)
            {
                continue;
            }

            var mediaType = ImageFormats.LayerMediaType(_format, layer.MediaType);
            descriptors.Add(new Descriptor
            {
                MediaType = mediaType,
                Digest = layer.Digest,
                Size = layer.Size,
                Annotations = layerAnnotations is { Count: > 0 } ? layerAnnotations : null,
            });
            layers.Add(RetypedLayer.As(layer, mediaType));
            diffIds.Add(layer.DiffId);
        }

        var containerConfig = baseConfig.Config ?? new ContainerConfig();
        foreach (var change in _configChanges)
        {
            containerConfig = change(containerConfig);
        }

        var config = RawJson<ImageConfigFile>.Serialize(baseConfig with
        {
            Created = createdText ?? baseConfig.Created,
            Author = _author ?? baseConfig.Author,
            Config = containerConfig,
            RootFs = baseConfig.RootFs with { DiffIds = diffIds },
            History = history.Count > 0 ? history : null,
        });

        var mergedAnnotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in baseManifest.Annotations ?? new Dictionary<string, string>())
        {
            mergedAnnotations[key] = value;
        }

        foreach (var (key, value) in _annotations)
        {
            mergedAnnotations[key] = value;
        }

        var manifest = RawJson<ImageManifest>.Serialize(new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = ImageFormats.ManifestMediaType(_format),
            Config = config.ToDescriptor(ImageFormats.ConfigMediaType(_format)),
            Layers = descriptors,
            Annotations = mergedAnnotations.Count > 0 ? mergedAnnotations : null,
        });
        return new MutatedImage(manifest, config, layers, _format);
    }

    private static KanikoException Inconsistent(string reason) => new(
        DiagnosticCodes.InconsistentImage,
        string.Format(CultureInfo.InvariantCulture, Strings.InconsistentImage, reason));
}
