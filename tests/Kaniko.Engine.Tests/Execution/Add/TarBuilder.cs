using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Kaniko.Engine.Tests.Execution.Add;

/// <summary>Writes small tar archives in memory for the tests, entry by entry, with any name (also hostile ones).</summary>
internal sealed class TarBuilder
{
    public static readonly DateTimeOffset Time = new(2021, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly List<TarEntry> _entries = [];

    public TarBuilder Directory(string name, UnixFileMode mode = (UnixFileMode)0x1ED, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = Time });

    public TarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0) =>
        Add(new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = mode,
            Uid = uid,
            Gid = gid,
            ModificationTime = Time,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        });

    public TarBuilder SymbolicLink(string name, string target) =>
        Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1FF, ModificationTime = Time });

    public TarBuilder HardLink(string name, string target, UnixFileMode mode = (UnixFileMode)0x1A4, int uid = 0, int gid = 0, DateTimeOffset? time = null) =>
        Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, Mode = mode, Uid = uid, Gid = gid, ModificationTime = time ?? Time });

    public TarBuilder Fifo(string name) => Add(new PaxTarEntry(TarEntryType.Fifo, name) { ModificationTime = Time });

    public byte[] ToTar()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries)
            {
                entry.DataStream?.Seek(0, SeekOrigin.Begin);
                writer.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public byte[] ToTarGz()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(ToTar());
        }

        return buffer.ToArray();
    }

    public byte[] ToTarZst()
    {
        using var buffer = new MemoryStream();
        using (var zstd = new ZstdSharp.CompressionStream(buffer, 3, leaveOpen: true))
        {
            zstd.Write(ToTar());
        }

        return buffer.ToArray();
    }

    private TarBuilder Add(TarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }
}
