using System.Globalization;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// The user ids the user namespace of this process maps, read from <c>/proc/self/uid_map</c>: a rootless build runs
/// as root of a namespace that maps the building user and its subordinate ids, and ids outside them cannot own files.
/// </summary>
internal static class UserNamespaceIds
{
    private const string UidMapFile = "/proc/self/uid_map";

    /// <summary>
    /// How many ids this process's namespace maps, or <c>null</c> in the initial namespace (or without
    /// <c>/proc</c>), where every id exists.
    /// </summary>
    public static long? CurrentCount() => File.Exists(UidMapFile) ? Count(File.ReadAllText(UidMapFile)) : null;

    /// <summary>The number of ids a <c>uid_map</c> text maps, or <c>null</c> when it is the initial namespace's identity map.</summary>
    public static long? Count(string uidMap)
    {
        ArgumentNullException.ThrowIfNull(uidMap);
        long total = 0;
        foreach (var line in uidMap.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                if (fields[0] == "0" && fields[1] == "0" && count == uint.MaxValue)
                {
                    return null;
                }

                total += count;
            }
        }

        return total;
    }
}
