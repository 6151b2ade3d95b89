namespace Kaniko.Engine.Fetching;

/// <summary>The compressions Docker's <c>DecompressStream</c> recognises by their first bytes, and so ADD unpacks.</summary>
internal enum ArchiveCompression
{
    /// <summary>No compression recognised: the bytes are read as they are.</summary>
    None,

    /// <summary>gzip (<c>1f 8b 08</c>).</summary>
    Gzip,

    /// <summary>bzip2 (<c>BZh</c>).</summary>
    Bzip2,

    /// <summary>xz (<c>fd 37 7a 58 5a 00</c>).</summary>
    Xz,

    /// <summary>zstd (a frame <c>28 b5 2f fd</c>, or a skippable frame <c>5? 2a 4d 18</c>).</summary>
    Zstd,
}
