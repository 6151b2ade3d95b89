using System.Globalization;
using Kaniko.Engine.Layers;

namespace Kaniko.Benchmarks;

/// <summary>
/// A folder of generated files to turn into layers: half 16-letter text (compresses about 2:1), half noise (does not
/// compress), in a few nested folders, as an application's published output roughly looks.
/// </summary>
internal static class BenchmarkFiles
{
    /// <summary>Fills <paramref name="directory"/> with <paramref name="fileCount"/> files totalling about <paramref name="totalBytes"/>.</summary>
    public static void Generate(string directory, long totalBytes, int fileCount)
    {
        var random = new Random(20250101);
        var perFile = (int)(totalBytes / fileCount);
        var buffer = new byte[perFile];
        for (var i = 0; i < fileCount; i++)
        {
            var folder = Path.Combine(directory, "dir" + (i % 8).ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            if (i % 2 == 0)
            {
                random.NextBytes(buffer);
            }
            else
            {
                for (var j = 0; j < buffer.Length; j++)
                {
                    buffer[j] = (byte)('a' + random.Next(16));
                }
            }

            File.WriteAllBytes(Path.Combine(folder, "file" + i.ToString(CultureInfo.InvariantCulture) + ".bin"), buffer);
        }
    }

    /// <summary>Layer entries for every folder and file under <paramref name="directory"/>, as the build will make them.</summary>
    public static List<LayerEntry> Entries(string directory)
    {
        var entries = new List<LayerEntry>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/');
            entries.Add(Directory.Exists(path) ? LayerEntry.Directory(relative) : LayerEntry.HostFile(relative, path));
        }

        return entries;
    }

    /// <summary>The total size of the regular files under <paramref name="directory"/>.</summary>
    public static long TotalBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
}
