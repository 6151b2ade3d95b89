using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The part of a <c>COPY</c>/<c>ADD</c> cache key that comes from its sources: every item of the planned copy
/// (after <c>.dockerignore</c>, with links and owners resolved) by kind, source name, destination, mode, owner and
/// link target, and the sha256 of each file's content. Modification times are left out, as BuildKit's content
/// checksums leave them out: touching a file does not invalidate the step, changing its bytes or mode does.
/// </summary>
internal static class CopyCacheKey
{
    /// <summary>Adds <paramref name="plan"/>'s sources, read from <paramref name="source"/>, to <paramref name="key"/>.</summary>
    public static async Task AddSourcesAsync(CacheKeyBuilder key, CopyPlan plan, IBuildContext source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        var items = plan.Items;
        var digests = new Digest?[items.Count];
        // Hashing is the warm build's main cost: spread it over the cores, the files are independent.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, items.Count).Where(i => items[i].Kind == CopyItemKind.File),
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, token) =>
            {
                var stream = source.OpenRead(items[i].Source);
                await using (stream.ConfigureAwait(false))
                {
                    digests[i] = await Digest.ComputeAsync(stream, cancellationToken: token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

        key.Add("copy.destination", plan.Destination.Value)
            .Add("copy.destinationIsDirectory", plan.DestinationIsDirectory ? "yes" : "no")
            .Add("copy.createdDirectoryMode", Octal(plan.CreatedDirectoryMode))
            .Add("copy.owner", Owner(plan.Owner))
            .Add("copy.items", items.Count.ToString(CultureInfo.InvariantCulture));
        if (plan.OwnerGiven && items.Any(i => i.UnpackIfArchive))
        {
            // --chown now owns what an ADD unpacks, as in BuildKit: a layer cached before that must not be reused.
            key.Add("copy.unpackedOwner", Owner(plan.Owner));
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            key.Add("item.kind", item.Kind.ToString())
                .Add("item.source", item.Source)
                .Add("item.destination", item.Destination.Value)
                .Add("item.mode", Octal(item.Mode))
                .Add("item.owner", Owner(item.Owner))
                .Add("item.unpack", item.UnpackIfArchive ? "yes" : "no");
            switch (item.Kind)
            {
                case CopyItemKind.File:
                    key.Add("item.content", digests[i]!.Value.ToString());
                    if (item.LinkGroup is { } group)
                    {
                        // Which files are written as one inode changes the layer, not only their content.
                        key.Add("item.linkGroup", group.ToString(CultureInfo.InvariantCulture));
                    }

                    break;
                case CopyItemKind.SymbolicLink:
                    key.Add("item.link", item.LinkTarget);
                    break;
                case CopyItemKind.Inline:
                    key.Add("item.inline", item.Content);
                    break;
            }
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    private static string Owner(CopyOwner owner) => owner.Uid.ToString(CultureInfo.InvariantCulture) + ":" + owner.Gid.ToString(CultureInfo.InvariantCulture);
}
