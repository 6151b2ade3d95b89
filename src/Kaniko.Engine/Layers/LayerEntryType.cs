namespace Kaniko.Engine.Layers;

/// <summary>What a <see cref="LayerEntry"/> records in the layer tar.</summary>
internal enum LayerEntryType
{
    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A regular file with content.</summary>
    RegularFile,

    /// <summary>A symbolic link; <see cref="LayerEntry.LinkTarget"/> is stored as given.</summary>
    SymbolicLink,

    /// <summary>A hard link to another path of the image; <see cref="LayerEntry.LinkTarget"/> is that path.</summary>
    HardLink,

    /// <summary>The deletion of <see cref="LayerEntry.Path"/> from lower layers: an empty <c>.wh.NAME</c> file.</summary>
    Whiteout,

    /// <summary>
    /// The directory <see cref="LayerEntry.Path"/> hides everything lower layers put in it: an empty
    /// <c>.wh..wh..opq</c> file inside it.
    /// </summary>
    OpaqueWhiteout,
}
