using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The hard link groups of one layer being assembled: paths that must end up as one inode. A path written again
/// leaves its group (BuildKit removes the old file first, so the other links keep the old content); at the end the
/// first path of each group in the layer's order (the tar name order <see cref="LayerWriter"/> writes) holds the
/// content and the others become hard link entries to it, as the diff BuildKit exports writes them.
/// </summary>
internal sealed class LayerLinkGroups
{
    private readonly Dictionary<ContainerPath, Group> _memberOf = [];

    /// <summary>The groups hard link entries of <paramref name="entries"/> make with their targets.</summary>
    public static LayerLinkGroups FromEntries(IEnumerable<LayerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries.ToList();
        var byPath = list.ToDictionary(e => PathOf(e.Path), e => e);
        var groups = new LayerLinkGroups();
        foreach (var entry in list.Where(e => e.Type == LayerEntryType.HardLink && e.LinkTarget is not null))
        {
            var target = PathOf(entry.LinkTarget!);
            if (byPath.TryGetValue(target, out var content) && content.Type == LayerEntryType.RegularFile)
            {
                groups.Link(PathOf(entry.Path), target, content);
            }
        }

        return groups;
    }

    /// <summary>A new group, for <see cref="Join"/>.</summary>
    public object NewGroup() => new Group();

    /// <summary><paramref name="path"/> is written again (or removed): it leaves its group.</summary>
    public void Replaced(ContainerPath path) => _memberOf.Remove(path);

    /// <summary>
    /// <paramref name="path"/>, written as <paramref name="entry"/>, is one of the links of <paramref name="group"/>;
    /// the first path to join gives the group its content and metadata.
    /// </summary>
    public void Join(ContainerPath path, object group, LayerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var member = group as Group ?? throw new ArgumentException("not a group of this set", nameof(group));
        member.Content ??= entry;
        _memberOf[path] = member;
    }

    /// <summary><paramref name="path"/> is a hard link to <paramref name="target"/>, whose entry (with content) is <paramref name="targetEntry"/>.</summary>
    public void Link(ContainerPath path, ContainerPath target, LayerEntry targetEntry)
    {
        ArgumentNullException.ThrowIfNull(targetEntry);
        if (!_memberOf.TryGetValue(target, out var group))
        {
            group = new Group { Content = targetEntry };
            _memberOf[target] = group;
        }

        _memberOf[path] = group;
    }

    /// <summary>
    /// Rewrites the members of every group in <paramref name="entries"/>: the first (in tar name order) gets the
    /// group's content, the others hard link entries to it; a group left with one path is an ordinary file.
    /// </summary>
    public void Resolve(IDictionary<ContainerPath, LayerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var members in _memberOf.Where(m => entries.ContainsKey(m.Key)).GroupBy(m => m.Value))
        {
            var content = members.Key.Content!;
            var ordered = members.Select(m => m.Key).OrderBy(p => LayerEntry.NormalizePath(p.Value), StringComparer.Ordinal).ToList();
            var holder = ordered[0];
            entries[holder] = content with { Path = holder.Value, Type = LayerEntryType.RegularFile, LinkTarget = null };
            foreach (var path in ordered.Skip(1))
            {
                entries[path] = LayerEntry.HardLink(path.Value, holder.Value, content.Mode) with
                {
                    Uid = content.Uid,
                    Gid = content.Gid,
                    ModificationTime = content.ModificationTime,
                };
            }
        }
    }

    private static ContainerPath PathOf(string layerPath) => ContainerPath.Parse("/" + LayerEntry.NormalizePath(layerPath));

    private sealed class Group
    {
        public LayerEntry? Content { get; set; }
    }
}
