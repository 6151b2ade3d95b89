using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// The resolved effect of one <c>COPY</c> or <c>ADD</c> from the build context: the items to write, in order, and
/// how to create the destination directories that do not exist yet.
/// </summary>
/// <param name="Destination">The destination as resolved against the working directory (cleaned).</param>
/// <param name="DestinationIsDirectory">Whether the destination was written as a directory (a trailing <c>/</c> or <c>/.</c>).</param>
/// <param name="Items">What to write, in order.</param>
/// <param name="CreatedDirectoryMode">
/// The mode of a missing parent directory the copy creates: 0755, with or without <c>--chmod</c> (BuildKit creates
/// them with <c>MkdirAll(0755)</c> before the copy; <c>--chmod</c> applies to what is copied).
/// </param>
/// <param name="Owner">The owner of every item and created directory.</param>
/// <param name="Warnings">Warnings found while planning (for example an unknown <c>--chown</c> name).</param>
internal sealed record CopyPlan(
    ContainerPath Destination,
    bool DestinationIsDirectory,
    IReadOnlyList<CopyItem> Items,
    UnixFileMode CreatedDirectoryMode,
    CopyOwner Owner,
    IReadOnlyList<BuildWarning> Warnings)
{
    /// <summary>Whether <c>--chown</c> was given (then <see cref="Owner"/> also owns what an <c>ADD</c> unpacks).</summary>
    public bool OwnerGiven { get; init; }

    /// <summary>Where an <c>ADD</c> unpacks an archive: the destination itself, which is then a directory.</summary>
    public ContainerPath ArchiveDirectory => Destination;
}
