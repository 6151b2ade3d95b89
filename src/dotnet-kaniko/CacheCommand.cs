using System.CommandLine;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution;

namespace Kaniko.Cli;

/// <summary>
/// <c>dotnet kaniko cache prune</c>: removes what killed builds left (work folders in TMPDIR, partial blobs in the
/// cache's <c>incoming/</c>) without building; every build does the same first. What a live build owns stays.
/// </summary>
internal static class CacheCommand
{
    internal static Command Create()
    {
        var cacheDir = new Option<string?>("--cache-dir")
        {
            Description = "The cache to prune (default: $KANIKO_CACHE_DIR, else the user's cache folder).",
            HelpName = "PATH",
        };
        var prune = new Command("prune", "Remove the work folders and partial cache files of builds that were killed.") { cacheDir };
        prune.SetAction(parse =>
        {
            var cache = new BlobStore(parse.GetValue(cacheDir) ?? BlobStore.DefaultRoot);
            var removed = AbandonedLeftovers.Remove(Path.GetTempPath(), cache, NullBuildEventSink.Instance);
            parse.InvocationConfiguration.Output.WriteLine($"removed {removed} leftover(s) of interrupted builds");
            return ExitCodes.Success;
        });
        return new Command("cache", "Look after the local cache.") { prune };
    }
}
