using System.Globalization;
using System.Text;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution;

/// <summary>
/// Turns a <see cref="CopyPlan"/> into the entries of its layer: the planned items (a later item at the same path
/// replaces an earlier one), the parent directories the copy creates when the stage knows they are missing, and
/// the metadata of directories that already exist kept as they were.
/// </summary>
public static class CopyLayerEntries
{
    /// <summary>The entries for <paramref name="plan"/>, reading files from <paramref name="context"/>; records the directories in <paramref name="filesystem"/>.</summary>
    /// <param name="plan">The planned copy.</param>
    /// <param name="context">Where the files' content comes from.</param>
    /// <param name="filesystem">The stage's known directories, updated with those this layer writes.</param>
    /// <param name="buildTime">The time of entries that have none of their own (heredocs, created parents).</param>
    /// <param name="range">The instruction's lines, for messages.</param>
    public static IReadOnlyList<LayerEntry> Create(CopyPlan plan, IBuildContext context, StageFilesystem filesystem, DateTimeOffset buildTime, SourceRange? range)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(filesystem);
        var entries = new Dictionary<ContainerPath, LayerEntry>();
        foreach (var item in plan.Items)
        {
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

            entries[item.Destination] = ToEntry(item, context, filesystem, buildTime, range);
        }

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
                if (item.UnpackIfArchive && IsArchive(context, item.Source))
                {
                    throw new KanikoException(
                        DiagnosticCodes.AddArchiveNotSupported,
                        string.Format(CultureInfo.InvariantCulture, Strings.AddArchiveNotSupported, item.Source),
                        range);
                }

                var source = item.Source;
                return LayerEntry.File(path, item.Size, _ => ValueTask.FromResult(context.OpenRead(source)), item.Mode) with
                {
                    Uid = item.Owner.Uid, Gid = item.Owner.Gid, ModificationTime = time,
                };
        }
    }

    private static LayerEntry Directory(ContainerPath path, UnixFileMode mode, CopyOwner owner, DateTimeOffset time) =>
        LayerEntry.Directory(path.Value, mode) with { Uid = owner.Uid, Gid = owner.Gid, ModificationTime = time };

    /// <summary>Whether a file starts like a tar archive, plain or compressed (what <c>ADD</c> would unpack).</summary>
    private static bool IsArchive(IBuildContext context, string source)
    {
        using var stream = context.OpenRead(source);
        var header = new byte[512];
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> bytes = header.AsSpan(0, read);
        return bytes.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B])
            || bytes.StartsWith("BZh"u8)
            || bytes.StartsWith((ReadOnlySpan<byte>)[0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00])
            || bytes.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD])
            || (read >= 262 && bytes[257..262].SequenceEqual("ustar"u8));
    }
}
