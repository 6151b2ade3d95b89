namespace Kaniko.Engine.Storage;

/// <summary>
/// How much the <see cref="LayerStore"/> keeps when the user does not say: a tenth of the file system that holds the
/// cache directory, at most <see cref="Cap"/>. BuildKit has long sized its default garbage-collection limit the same
/// way (a share of the disk of its root), and the share leaves a build machine's disk to the builds' own outputs: the
/// store is a cache, and a layer evicted is only unpacked again. The cap keeps a big disk from filling with unpacked
/// layers nobody asked to keep; 20 GiB holds a few .NET SDK bases (about 750 MB unpacked each) with the layers of
/// many builds on them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class LayerStoreSize
{
    /// <summary>The most a store keeps by default, however big its disk: 20 GiB.</summary>
    public const long Cap = 20L << 30;

    /// <summary>The share of its file system a store keeps by default: one part in this many.</summary>
    public const int ShareDivisor = 10;

    /// <summary>
    /// The limit for a store under <paramref name="cacheDirectory"/>: <paramref name="requested"/> when given (0: no
    /// limit), else <see cref="DefaultFor"/>.
    /// </summary>
    public static long Resolve(long? requested, string cacheDirectory) => requested switch
    {
        { } given => given >= 0 ? given : throw new ArgumentOutOfRangeException(nameof(requested), given, "a size is not negative"),
        null => DefaultFor(cacheDirectory),
    };

    /// <summary>A tenth of the size of the file system that holds <paramref name="cacheDirectory"/>, at most <see cref="Cap"/>.</summary>
    public static long DefaultFor(string cacheDirectory) => DefaultForDiskOf(FileSystemSize(cacheDirectory));

    /// <summary>The default limit on a file system of <paramref name="totalBytes"/> (unknown when 0 or less: <see cref="Cap"/>).</summary>
    public static long DefaultForDiskOf(long totalBytes) => totalBytes > 0 ? Math.Min(totalBytes / ShareDivisor, Cap) : Cap;

    /// <summary><paramref name="bytes"/> in the largest 1024-based unit that keeps it at least 1, as <c>--layer-store-size</c> reads it back (<c>20G</c>, <c>1.5M</c>).</summary>
    public static string Format(long bytes)
    {
        var (value, unit) = bytes switch
        {
            >= 1L << 40 => (bytes / (double)(1L << 40), "T"),
            >= 1L << 30 => (bytes / (double)(1L << 30), "G"),
            >= 1L << 20 => (bytes / (double)(1L << 20), "M"),
            >= 1L << 10 => (bytes / (double)(1L << 10), "K"),
            _ => (bytes, ""),
        };
        return value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + unit;
    }

    // statvfs of the nearest folder that exists: the cache directory is made by the build that first uses it.
    private static long FileSystemSize(string cacheDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        var folder = Path.GetFullPath(cacheDirectory);
        while (!Directory.Exists(folder) && Path.GetDirectoryName(folder) is { } parent)
        {
            folder = parent;
        }

        try
        {
            return new DriveInfo(folder).TotalSize;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return 0;
        }
    }
}
