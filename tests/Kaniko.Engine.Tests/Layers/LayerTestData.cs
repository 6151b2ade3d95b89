using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Kaniko.Engine.Layers;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Layers;

/// <summary>Entries and readers shared by the layer, image and output tests.</summary>
internal static class LayerTestData
{
    public static string Directory => Path.Combine(TestPaths.RepositoryRoot, "tests", "Kaniko.Engine.Tests", "TestData", "Layers");

    public static readonly DateTimeOffset Time = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    /// <summary>The entries of the canonical layer pinned in TestData/Layers/canonical.tar.gz, in a scrambled order.</summary>
    public static IReadOnlyList<LayerEntry> CanonicalEntries() =>
    [
        LayerEntry.File("etc/hostname", Encoding.ASCII.GetBytes("kaniko\n")) with { ModificationTime = Time },
        LayerEntry.Directory("etc") with { ModificationTime = Time },
        LayerEntry.SymbolicLink("usr/bin/sh", "busybox") with { ModificationTime = Time },
        LayerEntry.Directory("usr/bin") with { ModificationTime = Time },
        LayerEntry.Directory("usr") with { ModificationTime = Time },
        LayerEntry.File("usr/bin/busybox", Encoding.ASCII.GetBytes("#!/bin/true\n"), (UnixFileMode)0x1ED) with { ModificationTime = Time, Uid = 0, Gid = 0 },
        LayerEntry.HardLink("usr/bin/ash", "usr/bin/busybox", (UnixFileMode)0x1ED) with { ModificationTime = Time },
        LayerEntry.Whiteout("var/cache/old") with { ModificationTime = Time },
        LayerEntry.OpaqueWhiteout("tmp") with { ModificationTime = Time },
        LayerEntry.Directory("tmp", (UnixFileMode)0x3FF) with { ModificationTime = Time },
        LayerEntry.File("home/user/notes.txt", Encoding.UTF8.GetBytes("héllo\n"), (UnixFileMode)0x180) with
        {
            ModificationTime = Time, Uid = 1000, Gid = 1000, UserName = "user", GroupName = "users",
        },
        LayerEntry.File(LongPath, Encoding.ASCII.GetBytes("deep\n")) with { ModificationTime = Time, Uid = 3_000_000, Gid = 3_000_000 },
    ];

    /// <summary>A path longer than a ustar header holds, so the canonical layer has a PAX entry too.</summary>
    public static readonly string LongPath = "opt/" + string.Join('/', Enumerable.Range(0, 12).Select(i => "level-" + i)) + "/file.txt";

    public static List<TarEntry> ReadTar(Stream tar)
    {
        using var reader = new TarReader(tar, leaveOpen: true);
        var entries = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    public static List<TarEntry> ReadGzipLayer(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return ReadTar(gzip);
    }
}
