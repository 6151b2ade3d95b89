using System.Formats.Tar;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Reads a few small files of an image's filesystem straight from its layers, without unpacking it: layers are
/// opened top first and the search stops at the first layer that holds (or deletes) each file, so the lower layers
/// of a base image are never downloaded when an upper one answers. Whiteouts (<c>.wh.NAME</c>) and opaque
/// directories (<c>.wh..wh..opq</c>) hide what lies below, as the image spec's changesets say.
/// </summary>
internal static class LayerFileReader
{
    /// <summary>The largest file this reader returns; user databases are far smaller.</summary>
    public const int MaxFileSize = 4 * 1024 * 1024;

    /// <summary>
    /// The content of each of <paramref name="paths"/> (absolute image paths) in the filesystem that
    /// <paramref name="layers"/> (bottom first, as a manifest lists them) make, or <c>null</c> for a file that is
    /// absent, deleted, or not a regular file.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, byte[]?>> ReadAsync(
        IReadOnlyList<ILayer> layers, IReadOnlyCollection<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(paths);
        var pending = paths.ToDictionary(p => LayerEntry.NormalizePath(p), p => p, StringComparer.Ordinal);
        var found = paths.ToDictionary(p => p, _ => (byte[]?)null, StringComparer.Ordinal);
        for (var index = layers.Count - 1; index >= 0 && pending.Count > 0; index--)
        {
            var resolved = await ScanAsync(layers[index], pending.Keys.ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            foreach (var (name, content) in resolved)
            {
                found[pending[name]] = content;
                pending.Remove(name);
            }
        }

        return found;
    }

    /// <summary>The files of <paramref name="wanted"/> this layer decides: its content, or null when it deletes or hides it.</summary>
    private static async Task<Dictionary<string, byte[]?>> ScanAsync(ILayer layer, HashSet<string> wanted, CancellationToken cancellationToken)
    {
        var decided = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var stream = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var reader = PaxNewlineEscapingStream.OpenReader(stream);
            await using (reader.ConfigureAwait(false))
            {
                while (await PaxNewlineEscapingStream.NextEntryAsync(reader, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    var name = Normalize(entry.Name);
                    if (name.Length == 0)
                    {
                        continue;
                    }

                    var slash = name.LastIndexOf('/');
                    var directory = slash < 0 ? "" : name[..slash];
                    var file = name[(slash + 1)..];
                    if (file == LayerEntry.OpaqueWhiteoutName)
                    {
                        // Everything below this directory in lower layers is hidden; this layer's own files still count.
                        foreach (var path in wanted.Where(p => IsBelow(p, directory)))
                        {
                            hidden.Add(path);
                        }

                        continue;
                    }

                    if (file.StartsWith(LayerEntry.WhiteoutPrefix, StringComparison.Ordinal))
                    {
                        var deleted = (directory.Length == 0 ? "" : directory + "/") + file[LayerEntry.WhiteoutPrefix.Length..];
                        foreach (var path in wanted.Where(p => p == deleted || IsBelow(p, deleted)))
                        {
                            decided.TryAdd(path, null);
                        }

                        continue;
                    }

                    if (!wanted.Contains(name))
                    {
                        continue;
                    }

                    decided[name] = entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data
                        ? await ReadLimitedAsync(data, entry.Length, cancellationToken).ConfigureAwait(false)
                        : null;
                }
            }
        }

        foreach (var path in hidden)
        {
            decided.TryAdd(path, null);
        }

        return decided;
    }

    private static bool IsBelow(string path, string directory) =>
        directory.Length == 0 || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private static string Normalize(string tarName)
    {
        var name = tarName.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name.Trim('/');
    }

    private static async Task<byte[]?> ReadLimitedAsync(Stream data, long length, CancellationToken cancellationToken)
    {
        if (length > MaxFileSize)
        {
            return null;
        }

        var buffer = new byte[length];
        await data.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}
