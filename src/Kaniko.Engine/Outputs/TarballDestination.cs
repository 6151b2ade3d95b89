using System.Formats.Tar;
using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// Writes an image as a tarball that <c>docker load</c>, <c>podman load</c> and <c>skopeo</c>'s
/// <c>docker-archive:</c> transport read (<c>--tar-path</c>). Layers go in as their compressed blobs, which every
/// loader accepts, so the manifest inside is the image's own and its digest is the one a push would give. The tar is
/// streamed to a temporary file and renamed, never held in memory.
/// </summary>
internal sealed class TarballDestination : IImageDestination
{
    /// <summary>The annotation Docker and containerd give the full image name in an archive's <c>index.json</c>.</summary>
    public const string ContainerdImageNameAnnotation = "io.containerd.image.name";

    private readonly IReadOnlyList<ImageReference> _tags;
    private readonly TarballLayout _layout;

    /// <summary>A tarball at <paramref name="path"/> naming the image <paramref name="tags"/>.</summary>
    /// <param name="path">The tar file to write (replaced when it exists).</param>
    /// <param name="tags">The names <c>docker load</c> gives the image; a reference without a tag means <c>latest</c>; none leaves it untagged.</param>
    /// <param name="layout">Docker 25's OCI-compatible layout (the default) or the classic one.</param>
    public TarballDestination(string path, IEnumerable<ImageReference> tags, TarballLayout layout = TarballLayout.Oci)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tags);
        Path = path;
        _layout = layout;
        _tags = tags.Select(tag => tag.Tag is null && tag.Digest is not null
            ? throw new KanikoException(
                DiagnosticCodes.InvalidOutputTag,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidOutputTag, tag, "tarball " + path, "a tarball names images by tag, not by digest"))
            : tag.WithTag(tag.Tag ?? ImageReference.DefaultTag)).ToList();
    }

    /// <summary>The tar file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Description => string.Format(CultureInfo.InvariantCulture, "tarball {0}", Path);

    /// <inheritdoc />
    public Task WriteAsync(IImage image, CancellationToken cancellationToken) => WriteAsync(image, null, cancellationToken);

    /// <inheritdoc />
    /// <remarks>A tarball holds one platform's image; an index (of its attestations) is named beside it.</remarks>
    public async Task<WrittenOutput> WriteAsync(BuildOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await WriteAsync(output.Images[0], output.Index, cancellationToken).ConfigureAwait(false);
        return WrittenOutput.None;
    }

    /// <summary>
    /// Writes <paramref name="image"/>; with <paramref name="attested"/> (an index holding the image and its
    /// attestation manifests) the archive's <c>index.json</c> names that index, as Docker's own archives of attested
    /// images do, and its other manifests' blobs are written too. <c>manifest.json</c> names the image either way.
    /// </summary>
    public Task WriteAsync(IImage image, IImageIndex? attested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        return OutputFiles.GuardAsync(Description, () => OutputFiles.WriteAtomicallyAsync(
            Path, stream => WriteTarAsync(stream, image, attested, cancellationToken), cancellationToken));
    }

    private async Task WriteTarAsync(Stream stream, IImage image, IImageIndex? attested, CancellationToken cancellationToken)
    {
        var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
        await using (tar.ConfigureAwait(false))
        {
            if (_layout == TarballLayout.Oci)
            {
                await WriteDirectoryAsync(tar, "blobs/", cancellationToken).ConfigureAwait(false);
                await WriteDirectoryAsync(tar, "blobs/sha256/", cancellationToken).ConfigureAwait(false);
            }

            var written = new HashSet<string>(StringComparer.Ordinal);
            var layerNames = new List<string>();
            foreach (var layer in image.Layers)
            {
                var name = LayerName(layer);
                layerNames.Add(name);
                if (written.Add(name))
                {
                    var content = new ExactLengthReadStream(await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false), layer.Size, name);
                    await WriteFileAsync(tar, name, content, cancellationToken).ConfigureAwait(false);
                }
            }

            var configName = _layout == TarballLayout.Oci ? BlobName(image.Config.Digest) : image.Config.Digest.Encoded + ".json";
            await WriteBytesAsync(tar, configName, image.Config.Bytes, cancellationToken).ConfigureAwait(false);

            if (_layout == TarballLayout.Oci)
            {
                await WriteBytesAsync(tar, BlobName(image.Manifest.Digest), image.Manifest.Bytes, cancellationToken).ConfigureAwait(false);
                if (attested is not null)
                {
                    await WriteOtherManifestsAsync(tar, image, attested, written, cancellationToken).ConfigureAwait(false);
                }

                await WriteBytesAsync(tar, "index.json", ArchiveIndex(image, attested).Bytes, cancellationToken).ConfigureAwait(false);
            }

            IReadOnlyList<DockerArchiveManifestEntry> manifest =
            [
                new DockerArchiveManifestEntry
                {
                    Config = configName,
                    RepoTags = _tags.Count > 0 ? _tags.Select(t => t.ToFamiliarString()).ToList() : null,
                    Layers = layerNames,
                },
            ];
            var manifestJson = OciJson.SerializeToUtf8Bytes(manifest, OutputsJsonContext.Default.IReadOnlyListDockerArchiveManifestEntry);
            await WriteBytesAsync(tar, "manifest.json", manifestJson, cancellationToken).ConfigureAwait(false);

            if (_layout == TarballLayout.Oci)
            {
                await WriteBytesAsync(tar, "oci-layout", RawJson<OciLayoutHeader>.Serialize(new OciLayoutHeader()).Bytes, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteOtherManifestsAsync(TarWriter tar, IImage image, IImageIndex attested, HashSet<string> written, CancellationToken cancellationToken)
    {
        foreach (var other in attested.Manifests.Where(m => m.Manifest.Digest != image.Manifest.Digest))
        {
            foreach (var layer in other.Layers.Where(l => written.Add(BlobName(l.Digest))))
            {
                var content = new ExactLengthReadStream(await layer.OpenCompressedAsync(cancellationToken).ConfigureAwait(false), layer.Size, BlobName(layer.Digest));
                await WriteFileAsync(tar, BlobName(layer.Digest), content, cancellationToken).ConfigureAwait(false);
            }

            await WriteBytesAsync(tar, BlobName(other.Config.Digest), other.Config.Bytes, cancellationToken).ConfigureAwait(false);
            await WriteBytesAsync(tar, BlobName(other.Manifest.Digest), other.Manifest.Bytes, cancellationToken).ConfigureAwait(false);
        }

        await WriteBytesAsync(tar, BlobName(attested.Index.Digest), attested.Index.Bytes, cancellationToken).ConfigureAwait(false);
    }

    private RawJson<ImageIndex> ArchiveIndex(IImage image, IImageIndex? attested)
    {
        var manifest = image.Manifest;
        var descriptor = attested is not null
            ? attested.Index.ToDescriptor(attested.Index.Value.MediaType ?? MediaType.OciIndex)
            : manifest.ToDescriptor(manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(ImageFormats.Of(manifest.Value)));
        var entries = _tags.Count == 0
            ? [descriptor]
            : _tags.Select(tag => descriptor with
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    [ContainerdImageNameAnnotation] = tag.ToString(),
                    [OciReferenceName.AnnotationKey] = tag.Tag!,
                },
            }).ToList();
        return RawJson<ImageIndex>.Serialize(new ImageIndex { SchemaVersion = 2, MediaType = MediaType.OciIndex, Manifests = entries });
    }

    private string LayerName(ILayer layer)
    {
        if (_layout == TarballLayout.Oci)
        {
            return BlobName(layer.Digest);
        }

        var extension = layer.MediaType.IsGzip ? ".tar.gz" : layer.MediaType.IsZstd ? ".tar.zst" : ".tar";
        return layer.Digest.Encoded + extension;
    }

    private static string BlobName(Digest digest) => "blobs/" + digest.Algorithm + "/" + digest.Encoded;

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken) =>
        tar.WriteEntryAsync(
            new UstarTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED, ModificationTime = DateTimeOffset.UnixEpoch },
            cancellationToken);

    private static Task WriteBytesAsync(TarWriter tar, string name, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        WriteFileAsync(tar, name, new MemoryStream(bytes.ToArray(), writable: false), cancellationToken);

    private static async Task WriteFileAsync(TarWriter tar, string name, Stream content, CancellationToken cancellationToken)
    {
        await using (content.ConfigureAwait(false))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                Mode = (UnixFileMode)0x1A4,
                ModificationTime = DateTimeOffset.UnixEpoch,
                DataStream = content,
            };
            await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }
}
