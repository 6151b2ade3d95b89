using System.Formats.Tar;
using System.Text;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Tests.Filesystem;

/// <summary>Builds layers for the root filesystem tests: with <see cref="LayerWriter"/>, or raw tars for hostile input.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class RootFsTestLayers
{
    public static readonly DateTimeOffset Time = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static LayerEntry Text(string path, string content, UnixFileMode mode = LayerEntry.DefaultFileMode) =>
        LayerEntry.File(path, Encoding.UTF8.GetBytes(content), mode) with { ModificationTime = Time };

    public static async Task ApplyAsync(RootFs rootFs, string blobs, CancellationToken cancellationToken, params LayerEntry[] entries)
    {
        var layer = await new LayerWriter().WriteAsync(entries, blobs, cancellationToken);
        await rootFs.ApplyLayerAsync(layer, cancellationToken);
    }

    /// <summary>A tar written entry by entry as given, with none of the writer's checks.</summary>
    public static MemoryStream RawTar(params TarEntry[] entries)
    {
        var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        stream.Position = 0;
        return stream;
    }

    public static PaxTarEntry RawFile(string name, string content, IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        var entry = attributes is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, attributes);
        entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        entry.Mode = LayerEntry.DefaultFileMode;
        return entry;
    }

    public static PaxTarEntry RawLink(TarEntryType type, string name, string target) =>
        new(type, name) { LinkName = target, Mode = LayerEntry.SymbolicLinkMode };
}
