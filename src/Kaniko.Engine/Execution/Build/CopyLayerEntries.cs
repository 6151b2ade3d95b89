using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Turns a <see cref="CopyPlan"/> into the entries of its layer: the planned items (a later item at the same path
/// replaces an earlier one), the parent directories the copy creates when the stage knows they are missing, and
/// the metadata of directories that already exist kept as they were.
/// </summary>
internal static class CopyLayerEntries
{
    /// <summary>The entries for <paramref name="plan"/>, reading files from <paramref name="context"/>; records the directories in <paramref name="filesystem"/>.</summary>
    /// <param name="plan">The planned copy.</param>
    /// <param name="context">Where the files' content comes from.</param>
    /// <param name="filesystem">The stage's known directories, updated with those this layer writes.</param>
    /// <param name="buildTime">The time of entries that have none of their own (heredocs, created parents).</param>
    /// <param name="range">The instruction's lines, for messages.</param>
    /// <param name="archives">Unpacks the local archives an <c>ADD</c> names (their content decides, not their names).</param>
    /// <param name="cancellationToken">Stops the unpacking.</param>
    public static async Task<IReadOnlyList<LayerEntry>> CreateAsync(
        CopyPlan plan, IBuildContext context, StageFilesystem filesystem, DateTimeOffset buildTime, SourceRange? range,
        ArchiveExtractor archives, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(filesystem);
        ArgumentNullException.ThrowIfNull(archives);
        var entries = new Dictionary<ContainerPath, LayerEntry>();
        var links = new LayerLinkGroups();
        var planGroups = new Dictionary<int, object>();
        foreach (var item in plan.Items)
        {
            if (item.Kind == CopyItemKind.File && item.UnpackIfArchive && IsArchive(context, item.Source))
            {
                await UnpackAsync(item, plan, context, filesystem, archives, entries, links, buildTime, range, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var parent in filesystem.MissingAncestors(item.Destination))
            {
                if (!entries.ContainsKey(parent))
                {
                    entries[parent] = Directory(parent, plan.CreatedDirectoryMode, plan.Owner, buildTime);
                }
            }

            // A stage that does not know its base tree writes no directory it was not sure to need: the plan's
            // directories are then root's with mode 0755 and hold entries, so a missing one is created alike by the
            // runtime and an existing one keeps the base's metadata, as BuildKit keeps it.
            if (item.Destination.IsRoot || (item.Kind == CopyItemKind.Directory && !filesystem.IsComplete))
            {
                if (!item.Destination.IsRoot)
                {
                    filesystem.NoteDirectory(item.Destination);
                }

                continue;
            }

            var entry = ToEntry(item, context, filesystem, buildTime, range);
            links.Replaced(item.Destination);
            entries[item.Destination] = entry;
            if (item.LinkGroup is { } number)
            {
                if (!planGroups.TryGetValue(number, out var group))
                {
                    planGroups[number] = group = links.NewGroup();
                }

                links.Join(item.Destination, group, entry);
            }
        }

        links.Resolve(entries);
        return RecordInStage(entries, filesystem);
    }

    /// <summary>
    /// <paramref name="entries"/> with <paramref name="added"/> (fetched <c>ADD</c> sources) on top: a later entry at
    /// the same path wins, and the parents the stage lacks are created with the copy's owner and mode.
    /// </summary>
    public static IReadOnlyList<LayerEntry> Merge(
        IReadOnlyList<LayerEntry> entries, IReadOnlyList<LayerEntry> added, CopyPlan plan, StageFilesystem filesystem, DateTimeOffset buildTime)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(added);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(filesystem);
        var merged = new Dictionary<ContainerPath, LayerEntry>();
        var links = LayerLinkGroups.FromEntries(entries);
        foreach (var entry in entries.Concat(added))
        {
            var path = ContainerPath.Parse("/" + LayerEntry.NormalizePath(entry.Path));
            foreach (var parent in filesystem.MissingAncestors(path))
            {
                merged.TryAdd(parent, Directory(parent, plan.CreatedDirectoryMode, plan.Owner, buildTime));
            }

            merged[path] = entry;
        }

        // A fetched file written over a linked path leaves the others linked to one another.
        foreach (var entry in added)
        {
            links.Replaced(ContainerPath.Parse("/" + LayerEntry.NormalizePath(entry.Path)));
        }

        links.Resolve(merged);
        return RecordInStage(merged, filesystem);
    }

    /// <summary>
    /// Tells the stage's view of its files about the directories a layer writes and the parents of every entry, so
    /// later steps of the stage see them, and returns the layer's entries.
    /// </summary>
    private static IReadOnlyList<LayerEntry> RecordInStage(Dictionary<ContainerPath, LayerEntry> entries, StageFilesystem filesystem)
    {
        foreach (var (path, entry) in entries)
        {
            if (entry.Type == LayerEntryType.Directory)
            {
                filesystem.AddDirectory(path, entry.Mode, new CopyOwner(entry.Uid, entry.Gid));
            }

            for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
            {
                filesystem.NoteDirectory(parent);
            }
        }

        return [.. entries.Values];
    }

    /// <summary>
    /// Unpacks an archive <c>ADD</c> names into the copy's destination: the archive's own modes and times, and its
    /// owners unless <c>--chown</c> is given (BuildKit applies <c>--chown</c> to unpacked content, not <c>--chmod</c>),
    /// parents the stage lacks added.
    /// </summary>
    private static async Task UnpackAsync(
        CopyItem item, CopyPlan plan, IBuildContext context, StageFilesystem filesystem, ArchiveExtractor archives,
        Dictionary<ContainerPath, LayerEntry> entries, LayerLinkGroups links, DateTimeOffset buildTime, SourceRange? range, CancellationToken cancellationToken)
    {
        IReadOnlyList<LayerEntry> unpacked;
        var archive = context.OpenRead(item.Source);
        await using (archive.ConfigureAwait(false))
        {
            try
            {
                unpacked = await archives.ExtractAsync(archive, item.Source, plan.ArchiveDirectory.Value, cancellationToken).ConfigureAwait(false);
                if (plan.OwnerGiven)
                {
                    unpacked = ArchiveExtractor.WithOwner(unpacked, plan.Owner);
                }
            }
            catch (KanikoException e) when (range is { } located)
            {
                throw e.WithRangeIfMissing(located);
            }
        }

        // The destination is a directory even when the archive is empty. BuildKit creates it and its missing parents
        // with mode 0755 and the --chown owner (a --chown makes the stage learn its tree first); a stage that does
        // not know its tree leaves them, and the parents the archive does not list, to the runtime (root, 0755), as
        // Docker's untar makes them.
        if (filesystem.IsComplete && !plan.ArchiveDirectory.IsRoot && !filesystem.IsDirectory(plan.ArchiveDirectory))
        {
            foreach (var directory in filesystem.MissingAncestors(plan.ArchiveDirectory).Append(plan.ArchiveDirectory))
            {
                entries.TryAdd(directory, Directory(directory, LayerEntry.DefaultDirectoryMode, plan.Owner, buildTime));
            }
        }

        foreach (var entry in unpacked)
        {
            var path = ContainerPath.Parse("/" + LayerEntry.NormalizePath(entry.Path));
            foreach (var parent in filesystem.MissingAncestors(path))
            {
                if (!entries.ContainsKey(parent))
                {
                    entries[parent] = Directory(parent, LayerEntry.DefaultDirectoryMode, CopyOwner.Root, buildTime);
                }
            }

            links.Replaced(path);
            entries[path] = entry;
        }

        // The archive's hard links stay links, to a target that may be written over by a later source.
        foreach (var link in unpacked.Where(e => e.Type == LayerEntryType.HardLink && e.LinkTarget is not null))
        {
            var target = ContainerPath.Parse("/" + LayerEntry.NormalizePath(link.LinkTarget!));
            if (entries.TryGetValue(target, out var content) && content.Type == LayerEntryType.RegularFile)
            {
                links.Link(ContainerPath.Parse("/" + LayerEntry.NormalizePath(link.Path)), target, content);
            }
        }
    }

    private static LayerEntry ToEntry(CopyItem item, IBuildContext context, StageFilesystem filesystem, DateTimeOffset buildTime, SourceRange? range)
    {
        var time = item.ModificationTime ?? buildTime;
        var path = item.Destination.Value;
        switch (item.Kind)
        {
            case CopyItemKind.Directory:
                var (mode, owner) = item.KeepsExistingMetadata && filesystem.TryGetDirectory(item.Destination, out var existing)
                    ? existing
                    : (item.Mode, item.Owner);
                return Directory(item.Destination, mode, owner, time);
            case CopyItemKind.SymbolicLink:
                return LayerEntry.SymbolicLink(path, item.LinkTarget ?? "") with
                {
                    Uid = item.Owner.Uid, Gid = item.Owner.Gid, ModificationTime = time,
                };
            case CopyItemKind.Inline:
                return LayerEntry.File(path, Encoding.UTF8.GetBytes(item.Content ?? ""), item.Mode) with
                {
                    Uid = item.Owner.Uid, Gid = item.Owner.Gid, ModificationTime = time,
                };
            default:
                var source = item.Source;
                return LayerEntry.File(path, item.Size, _ => ValueTask.FromResult(context.OpenRead(source)), item.Mode) with
                {
                    Uid = item.Owner.Uid, Gid = item.Owner.Gid, ModificationTime = time,
                };
        }
    }

    private static LayerEntry Directory(ContainerPath path, UnixFileMode mode, CopyOwner owner, DateTimeOffset time) =>
        LayerEntry.Directory(path.Value, mode) with { Uid = owner.Uid, Gid = owner.Gid, ModificationTime = time };

    /// <summary>Whether a context file is a tar archive, plain or compressed (what <c>ADD</c> unpacks), by its content.</summary>
    private static bool IsArchive(IBuildContext context, string source)
    {
        using var stream = context.OpenRead(source);
        return ArchiveDetector.IsArchive(stream);
    }
}
