using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution;

/// <summary>
/// What a stage knows of its directories without reading its base layers: the directories its own layers (and,
/// for a stage that starts from <c>scratch</c>, every layer) created, with their mode and owner. A stage whose
/// base is a registry image knows only part of its tree, so it never writes the parents of a destination (the
/// runtime creates missing parents) and treats unknown paths as absent.
/// </summary>
public sealed class StageFilesystem
{
    private readonly Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> _directories;

    private StageFilesystem(bool isComplete, Dictionary<ContainerPath, (UnixFileMode Mode, CopyOwner Owner)> directories)
    {
        IsComplete = isComplete;
        _directories = directories;
    }

    /// <summary>The filesystem of <c>scratch</c>: empty, and fully known.</summary>
    public static StageFilesystem Empty() => new(true, []);

    /// <summary>The filesystem of a registry image: not known.</summary>
    public static StageFilesystem Unknown() => new(false, []);

    /// <summary>Whether every directory of the stage is listed (it starts from <c>scratch</c>).</summary>
    public bool IsComplete { get; }

    /// <summary>A copy for a stage that starts from this one.</summary>
    public StageFilesystem Clone() => new(IsComplete, new(_directories));

    /// <summary>Whether <paramref name="path"/> is a directory this stage knows.</summary>
    public bool IsDirectory(ContainerPath path) => path.IsRoot || _directories.ContainsKey(path);

    /// <summary>The mode and owner of a known directory.</summary>
    public bool TryGetDirectory(ContainerPath path, out (UnixFileMode Mode, CopyOwner Owner) metadata) =>
        _directories.TryGetValue(path, out metadata);

    /// <summary>Records a directory written by a layer (a later write replaces the metadata).</summary>
    public void AddDirectory(ContainerPath path, UnixFileMode mode, CopyOwner owner)
    {
        if (!path.IsRoot)
        {
            _directories[path] = (mode, owner);
        }
    }

    /// <summary>
    /// The ancestors of <paramref name="path"/> (outermost first, the root left out) that the stage does not have,
    /// when it knows its whole tree; none otherwise.
    /// </summary>
    public IReadOnlyList<ContainerPath> MissingAncestors(ContainerPath path)
    {
        if (!IsComplete)
        {
            return [];
        }

        var missing = new List<ContainerPath>();
        for (var parent = path.Parent; !parent.IsRoot; parent = parent.Parent)
        {
            if (!_directories.ContainsKey(parent))
            {
                missing.Add(parent);
            }
        }

        missing.Reverse();
        return missing;
    }
}
