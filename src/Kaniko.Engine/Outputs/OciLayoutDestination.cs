using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Outputs;

/// <summary>
/// Writes images into an OCI image layout directory (<c>--oci-layout-path</c>): the <c>oci-layout</c> file,
/// <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c> for every config, layer and manifest, and an entry in <c>index.json</c>
/// annotated with <c>org.opencontainers.image.ref.name</c>. An existing layout keeps what it holds; only an entry
/// with the same reference name is replaced, so the name moves to the new image as a tag would. Every file is
/// written to a temporary name and renamed, so a reader never sees half a blob or half an index.
/// </summary>
internal sealed class OciLayoutDestination : IImageDestination
{
    private readonly string? _referenceName;

    /// <summary>A layout in <paramref name="directory"/> (created when missing).</summary>
    /// <param name="directory">The layout directory.</param>
    /// <param name="referenceName">The name recorded in <c>index.json</c>, for example a tag; null for none.</param>
    public OciLayoutDestination(string directory, string? referenceName)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = directory;
        _referenceName = referenceName is null ? null : OciReferenceName.Validate(referenceName, "OCI layout " + directory);
    }

    /// <summary>The layout directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public string Description => _referenceName is null
        ? string.Format(CultureInfo.InvariantCulture, "OCI layout {0}", Directory)
        : string.Format(CultureInfo.InvariantCulture, "OCI layout {0} ({1})", Directory, _referenceName);

    /// <summary>The path of blob <paramref name="digest"/> in a layout at <paramref name="directory"/>.</summary>
    public static string BlobPath(string directory, Digest digest) =>
        Path.Combine(directory, "blobs", digest.Algorithm, digest.Encoded);

    /// <inheritdoc />
    public Task WriteAsync(IImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        return OutputFiles.GuardAsync(Description, async () =>
        {
            var index = await PrepareAsync(cancellationToken).ConfigureAwait(false);
            await WriteImageBlobsAsync(image, cancellationToken).ConfigureAwait(false);
            var manifest = image.Manifest;
            var descriptor = manifest.ToDescriptor(manifest.Value.MediaType ?? ImageFormats.ManifestMediaType(ImageFormats.Of(manifest.Value)));
            await AddToIndexAsync(index, descriptor, cancellationToken).ConfigureAwait(false);
        });
    }

    /// <summary>Whether the output keeps its image format (one was asked for) rather than getting OCI media types.</summary>
    public bool KeepFormat { get; init; }

    /// <inheritdoc />
    /// <remarks>The layout gets <see cref="BuildOutput.ForOciLayout"/>: OCI media types unless <see cref="KeepFormat"/>.</remarks>
    public async Task<WrittenOutput> WriteAsync(BuildOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var layout = output.ForOciLayout(KeepFormat);
        if (layout.Index is { } index)
        {
            await WriteIndexAsync(index, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteAsync(layout.Images[0], cancellationToken).ConfigureAwait(false);
        }

        return WrittenOutput.None with { OciLayoutDigest = layout.Digest };
    }

    /// <summary>Writes a multi-platform image: every image's blobs, the index blob, and an <c>index.json</c> entry for it.</summary>
    public Task WriteIndexAsync(IImageIndex imageIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imageIndex);
        return OutputFiles.GuardAsync(Description, async () =>
        {
            var index = await PrepareAsync(cancellationToken).ConfigureAwait(false);
            foreach (var image in imageIndex.Manifests)
            {
                await WriteImageBlobsAsync(image, cancellationToken).ConfigureAwait(false);
            }

            var raw = imageIndex.Index;
            await WriteDocumentAsync(raw.Digest, raw.Bytes, cancellationToken).ConfigureAwait(false);
            var descriptor = raw.ToDescriptor(raw.Value.MediaType ?? MediaType.OciIndex);
            await AddToIndexAsync(index, descriptor, cancellationToken).ConfigureAwait(false);
        });
    }

    private async Task<ImageIndex> PrepareAsync(CancellationToken cancellationToken)
    {
        var layoutFile = Path.Combine(Directory, "oci-layout");
        var indexFile = Path.Combine(Directory, "index.json");
        var exists = System.IO.Directory.Exists(Directory) && System.IO.Directory.EnumerateFileSystemEntries(Directory).Any();
        if (!exists)
        {
            System.IO.Directory.CreateDirectory(Directory);
            var header = RawJson<OciLayoutHeader>.Serialize(new OciLayoutHeader());
            await OutputFiles.WriteAtomicallyAsync(layoutFile, header.Bytes, cancellationToken).ConfigureAwait(false);
            return new ImageIndex { SchemaVersion = 2, MediaType = MediaType.OciIndex };
        }

        if (!File.Exists(layoutFile))
        {
            throw NotALayout("the folder is not empty and has no oci-layout file");
        }

        var version = Parse<OciLayoutHeader>(layoutFile).ImageLayoutVersion;
        if (version != OciLayoutHeader.CurrentVersion)
        {
            throw NotALayout(string.Format(CultureInfo.InvariantCulture, "imageLayoutVersion is {0}, expected {1}", version, OciLayoutHeader.CurrentVersion));
        }

        return File.Exists(indexFile)
            ? Parse<ImageIndex>(indexFile)
            : new ImageIndex { SchemaVersion = 2, MediaType = MediaType.OciIndex };
    }

    private async Task WriteImageBlobsAsync(IImage image, CancellationToken cancellationToken)
    {
        foreach (var layer in image.Layers)
        {
            if (layer.MediaType.IsForeign)
            {
                // Non-distributable content stays where its URLs point, as registries and the spec expect.
                continue;
            }

            await OutputFiles.WriteBlobAsync(
                BlobPath(Directory, layer.Digest), layer.Size, () => layer.OpenCompressedAsync(cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        await WriteDocumentAsync(image.Config.Digest, image.Config.Bytes, cancellationToken).ConfigureAwait(false);
        await WriteDocumentAsync(image.Manifest.Digest, image.Manifest.Bytes, cancellationToken).ConfigureAwait(false);
    }

    private Task WriteDocumentAsync(Digest digest, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
        OutputFiles.WriteBlobAsync(
            BlobPath(Directory, digest), bytes.Length, () => Task.FromResult<Stream>(new MemoryStream(bytes.ToArray(), writable: false)), cancellationToken);

    private async Task AddToIndexAsync(ImageIndex index, Descriptor descriptor, CancellationToken cancellationToken)
    {
        var manifests = index.Manifests.ToList();
        if (_referenceName is not null)
        {
            manifests.RemoveAll(entry => entry.Annotations is { } a
                && a.TryGetValue(OciReferenceName.AnnotationKey, out var name) && name == _referenceName);
            descriptor = descriptor with
            {
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [OciReferenceName.AnnotationKey] = _referenceName },
            };
        }
        else if (manifests.Any(entry => entry.Digest == descriptor.Digest && entry.Annotations is null))
        {
            return;
        }

        manifests.Add(descriptor);
        var updated = RawJson<ImageIndex>.Serialize(index with { SchemaVersion = 2, MediaType = index.MediaType ?? MediaType.OciIndex, Manifests = manifests });
        await OutputFiles.WriteAtomicallyAsync(Path.Combine(Directory, "index.json"), updated.Bytes, cancellationToken).ConfigureAwait(false);
    }

    private T Parse<T>(string file)
        where T : class, IOciDocument<T>
    {
        try
        {
            return RawJson<T>.Parse(File.ReadAllBytes(file), file).Value;
        }
        catch (KanikoException error) when (error.Code == DiagnosticCodes.MalformedDocument)
        {
            throw NotALayout(error.Detail);
        }
    }

    private KanikoException NotALayout(string reason) => new(
        DiagnosticCodes.InvalidOciLayout,
        string.Format(CultureInfo.InvariantCulture, Strings.InvalidOciLayout, Directory, reason));
}
