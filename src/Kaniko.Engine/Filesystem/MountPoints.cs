using System.Text;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// This process's mount table (<c>/proc/self/mountinfo</c>): what the stage cleanup must unmount first, and which
/// output files are bind mounts that must be written in place.
/// </summary>
internal static class MountPoints
{
    /// <summary>The mount points of this process's mount namespace at or below <paramref name="directory"/>.</summary>
    public static IEnumerable<string> Below(string directory)
    {
        const string MountInfo = "/proc/self/mountinfo";
        if (!File.Exists(MountInfo))
        {
            return [];
        }

        return File.ReadLines(MountInfo)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]))
            .Where(mountPoint => mountPoint == directory || mountPoint.StartsWith(directory + "/", StringComparison.Ordinal))
            .Distinct()
            .ToList();
    }

    // mountinfo writes space, tab, newline and backslash as three octal digits after a backslash.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field.Substring(i, 1)));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(string text, int start) =>
        start + 3 <= text.Length && text.AsSpan(start, 3).IndexOfAnyExceptInRange('0', '7') < 0;
}
