using System.Formats.Tar;
using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Finds the package databases and deps files of an image by reading its layers as tar streams, in order, keeping
/// only the entries <see cref="PackageRecordFile.IsWanted"/> names and applying whiteouts, so the result is what the
/// image's filesystem holds. Nothing is unpacked; every other entry's data is skipped as the stream passes.
/// </summary>
internal static class ImagePackageFiles
{
    /// <summary>The package record files of <paramref name="image"/>, by path, each from the layer that wrote it last.</summary>
    public static async Task<IReadOnlyList<PackageRecordFile>> CollectAsync(IImage image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        var files = new SortedDictionary<string, PackageRecordFile>(StringComparer.Ordinal);
        foreach (var layer in image.Layers)
        {
            await ReadLayerAsync(layer, files, cancellationToken).ConfigureAwait(false);
        }

        return [.. files.Values];
    }

    private static async Task ReadLayerAsync(ILayer layer, SortedDictionary<string, PackageRecordFile> files, CancellationToken cancellationToken)
    {
        var stream = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = new TarReader(stream, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await NextAsync(reader, layer, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    await ApplyAsync(entry, layer.DiffId.ToString(), files, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<TarEntry?> NextAsync(TarReader reader, ILayer layer, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new KanikoException(
                DiagnosticCodes.LayerUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.LayerUnreadable, "layer " + layer.Digest, exception.Message));
        }
    }

    private static async Task ApplyAsync(TarEntry entry, string layer, SortedDictionary<string, PackageRecordFile> files, CancellationToken cancellationToken)
    {
        var path = ContainerPath.Parse(entry.Name);
        if (path.IsRoot)
        {
            return;
        }

        var name = path.Name;
        if (name == LayerEntry.OpaqueWhiteoutName)
        {
            RemoveUnder(files, path.Parent);
            return;
        }

        if (name.StartsWith(LayerEntry.WhiteoutPrefix, StringComparison.Ordinal))
        {
            var target = name[LayerEntry.WhiteoutPrefix.Length..];
            if (target is not ("" or "." or ".."))
            {
                var deleted = path.Parent.Append(target);
                files.Remove(deleted.Value[1..]);
                RemoveUnder(files, deleted);
            }

            return;
        }

        var relative = path.Value[1..];
        if (!PackageRecordFile.IsWanted(relative))
        {
            // A later entry of another kind at a recorded path (a link, a folder) replaces the file.
            files.Remove(relative);
            return;
        }

        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
        {
            files.Remove(relative);
            return;
        }

        var content = new MemoryStream(checked((int)entry.Length));
        await entry.DataStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
        files[relative] = new PackageRecordFile(relative, content.GetBuffer().AsMemory(0, (int)content.Length), layer);
    }

    private static void RemoveUnder(SortedDictionary<string, PackageRecordFile> files, ContainerPath directory)
    {
        var prefix = directory.IsRoot ? string.Empty : directory.Value[1..] + "/";
        foreach (var key in files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            files.Remove(key);
        }
    }
}
