using Kaniko.Engine.Attestations;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// What a build writes to its destinations: the image of its one platform, or an index of one image per platform
/// (with the attestation manifests, which only an index can carry). Every <see cref="IImageDestination"/> takes
/// either form, so the builder has one path for one platform and for several.
/// </summary>
internal sealed class BuildOutput
{
    private readonly IReadOnlyList<Platform> _platforms;
    private BuildOutput? _ociLayoutForm;

    private BuildOutput(IReadOnlyList<Platform> platforms, IReadOnlyList<MutatedImage> images, BuiltImageIndex? index)
    {
        _platforms = platforms;
        Images = images;
        Index = index;
    }

    /// <summary>The images built, one per platform, in the order of <paramref name="platforms"/>.</summary>
    /// <param name="platforms">The platform each image was built for.</param>
    /// <param name="images">The images.</param>
    /// <param name="attestations">The attestation manifests; any makes the output an index, even of one image.</param>
    public static BuildOutput Of(IReadOnlyList<Platform> platforms, IReadOnlyList<MutatedImage> images, IReadOnlyList<AttestationManifest> attestations)
    {
        ArgumentNullException.ThrowIfNull(platforms);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(attestations);
        return images.Count == 1 && attestations.Count == 0
            ? new BuildOutput(platforms, images, null)
            : new BuildOutput(platforms, images, IndexOf(platforms, images, attestations));
    }

    /// <summary>The images, one per platform.</summary>
    public IReadOnlyList<MutatedImage> Images { get; }

    /// <summary>The index of the images (and attestations), or <c>null</c> when the output is the one image.</summary>
    public BuiltImageIndex? Index { get; }

    /// <summary>The digest destinations name: the index's, else the image's manifest's.</summary>
    public Digest Digest => Index?.Digest ?? Images[0].Digest;

    /// <summary>The media type of the document <see cref="Digest"/> names.</summary>
    public MediaType MediaType => Index is { } index
        ? index.Index.Value.MediaType ?? ImageFormats.IndexMediaType(index.Format)
        : Images[0].Manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(Images[0].Format);

    /// <summary>The layers of the output: the image's own, or those of all the images once each.</summary>
    public IReadOnlyList<ILayer> Layers => Index is null ? Images[0].Layers : [.. Images.SelectMany(i => i.Layers).DistinctBy(l => l.Digest)];

    /// <summary>The bytes of the output: documents and layers, each counted once in an index.</summary>
    public long Size => Index is { } index
        ? index.Index.Bytes.Length + Images.DistinctBy(i => i.Digest).Sum(i => i.Manifest.Bytes.Length + i.Config.Bytes.Length) + Layers.Sum(l => l.Size)
        : Images[0].Manifest.Bytes.Length + Images[0].Config.Bytes.Length + Images[0].Layers.Sum(l => l.Size);

    /// <summary>
    /// This output with <paramref name="form"/> as what an OCI layout that converts it gets: the converted images with
    /// attestations made about their own digests, which only the builder can make.
    /// </summary>
    public BuildOutput WithOciLayoutForm(BuildOutput form) => new(_platforms, Images, Index) { _ociLayoutForm = form };

    /// <summary>
    /// The output as an OCI layout holds it: OCI media types unless <paramref name="keepFormat"/> (a format was asked
    /// for), so skopeo's <c>oci:</c> transport and umoci can open it (BuildKit's and buildah's OCI outputs convert the
    /// same way). Attestations name the built manifests' digests, so without a form from <see cref="WithOciLayoutForm"/>
    /// an index whose images had to be converted holds the images alone.
    /// </summary>
    public BuildOutput ForOciLayout(bool keepFormat)
    {
        if (!keepFormat && _ociLayoutForm is not null)
        {
            return _ociLayoutForm;
        }

        if (Index is null)
        {
            return keepFormat ? this : new BuildOutput(_platforms, [Images[0].WithFormat(Kaniko.Engine.Images.ImageFormat.Oci)], null);
        }

        return keepFormat || Images.All(i => i.Format == Kaniko.Engine.Images.ImageFormat.Oci)
            ? this
            : new BuildOutput(_platforms, Images, IndexOf(_platforms, [.. Images.Select(i => i.WithFormat(Kaniko.Engine.Images.ImageFormat.Oci))], attestations: []));
    }

    // The index takes the images' family: a Docker manifest list when every image is Docker schema 2 (a Docker base),
    // an OCI index otherwise, and always with attestations (their manifests are OCI ones). Each entry names the
    // platform it was built for; attestation manifests follow the images, as BuildKit orders them.
    private static BuiltImageIndex IndexOf(IReadOnlyList<Platform> platforms, IReadOnlyList<MutatedImage> images, IReadOnlyList<AttestationManifest> attestations)
    {
        var format = attestations.Count == 0 && images.All(i => i.Format == Kaniko.Engine.Images.ImageFormat.Docker) ? Kaniko.Engine.Images.ImageFormat.Docker : Kaniko.Engine.Images.ImageFormat.Oci;
        var builder = new ImageIndexBuilder(format);
        for (var i = 0; i < images.Count; i++)
        {
            builder.Add(images[i], platforms[i]);
        }

        foreach (var attestation in attestations)
        {
            builder.Add(attestation, AttestationManifest.UnknownPlatform, attestation.IndexAnnotations);
        }

        return builder.Build();
    }
}

/// <summary>What writing to a destination produced, for the build's result.</summary>
/// <param name="Pushed">The references pushed to.</param>
/// <param name="Blobs">What happened to each blob pushed.</param>
/// <param name="OciLayoutDigest">The digest written into an OCI layout, when one was.</param>
internal sealed record WrittenOutput(IReadOnlyList<ImageReference> Pushed, IReadOnlyList<Registry.BlobPush> Blobs, Digest? OciLayoutDigest)
{
    /// <summary>Nothing to report.</summary>
    public static WrittenOutput None { get; } = new([], [], null);
}
