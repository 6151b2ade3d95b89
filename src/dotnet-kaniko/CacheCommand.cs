using System.CommandLine;
using System.Globalization;
using Kaniko.Engine;

namespace Kaniko.Cli;

/// <summary>
/// <c>dotnet kaniko cache ls|prune</c>: the layer store of the cache directory (layers unpacked once by DiffID,
/// <see cref="LayerStore"/>), listed or pruned least recently used first, as <c>docker builder prune</c> and
/// <c>buildctl prune</c> prune BuildKit's store. Layers a running build holds are never removed.
/// </summary>
internal static class CacheCommand
{
    private static readonly Option<string?> CacheDir = new("--cache-dir")
    {
        Description = "The cache directory (default: $KANIKO_CACHE_DIR, else the user's cache folder).",
        HelpName = "PATH",
    };

    private static readonly Option<string?> KeepStorage = new("--keep-storage")
    {
        Description = "Keep at most this much (bytes, or with a K, M or G suffix: 1024-based); without it every layer not in use is removed.",
        HelpName = "SIZE",
    };

    internal static Command Create()
    {
        var list = new Command("ls", "List the unpacked layers of the cache directory, least recently used first.") { CacheDir };
        list.SetAction(parse => List(parse));
        var prune = new Command("prune", "Remove unpacked layers, least recently used first, and what killed builds left half-written.") { CacheDir, KeepStorage };
        prune.SetAction(parse => Prune(parse));
        return new Command("cache", "Inspect and prune the cache directory's layer store.") { list, prune };
    }

    private static string CacheDirectoryOf(ParseResult parse) => parse.GetValue(CacheDir) ?? KanikoCache.DefaultDirectory;

    private static int List(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        if (!OperatingSystem.IsLinux())
        {
            output.WriteLine("the layer store is used on Linux only");
            return ExitCodes.Success;
        }

        var entries = KanikoCache.List(CacheDirectoryOf(parse));
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-71} {1,12} {2,-20} {3}", "DIFF ID", "SIZE", "LAST USED (UTC)", "IN USE"));
        foreach (var entry in entries)
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-71} {1,12} {2:yyyy-MM-dd HH:mm:ss}  {3}",
                entry.DiffId, entry.Size, entry.LastUsed, entry.InUse ? "yes" : "no"));
        }

        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} layers, {1} bytes", entries.Count, entries.Sum(e => e.Size)));
        output.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "builds keep it under {0} bytes by default (a tenth of its file system, at most 20G; --layer-store-size)", KanikoCache.DefaultLayerStoreSize(CacheDirectoryOf(parse))));
        return ExitCodes.Success;
    }

    private static int Prune(ParseResult parse)
    {
        var output = parse.InvocationConfiguration.Output;
        long keep = 0;
        if (parse.GetValue(KeepStorage) is { } text && !ByteSize.TryParse(text, out keep))
        {
            parse.InvocationConfiguration.Error.WriteLine($"--keep-storage: '{text}' is not a size (for example 10G, 500M or 1048576)");
            return ExitCodes.UsageError;
        }

        var leftovers = KanikoCache.RemoveLeftovers(CacheDirectoryOf(parse));
        output.WriteLine($"removed {leftovers} leftover(s) of interrupted builds");
        if (!OperatingSystem.IsLinux())
        {
            output.WriteLine("the layer store is used on Linux only");
            return ExitCodes.Success;
        }

        var result = KanikoCache.Prune(CacheDirectoryOf(parse), keep);
        foreach (var entry in result.Removed)
        {
            output.WriteLine(string.Format(CultureInfo.InvariantCulture, "removed {0} ({1} bytes)", entry.DiffId, entry.Size));
        }

        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "removed {0} layers, {1} bytes kept", result.Removed.Count, result.KeptBytes));
        return ExitCodes.Success;
    }
}
