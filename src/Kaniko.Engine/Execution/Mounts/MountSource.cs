using Kaniko.Engine.Context;
using Kaniko.Engine.Execution.Copy;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// A tree a bind or cache mount can read from: the build context after <c>.dockerignore</c>, or the files of a
/// stage or an image (<see cref="ImageSnapshot"/>).
/// </summary>
/// <param name="Description">What the tree is, for messages (for example <c>the build context</c>, <c>stage build</c>).</param>
/// <param name="Files">Opens the files' content.</param>
/// <param name="Tree">The entries, with their kinds, modes and link targets.</param>
/// <param name="OwnerOf">The owner of an entry by relative path (root for the context).</param>
internal sealed record MountSource(string Description, IBuildContext Files, BuildContextTree Tree, Func<string, CopyOwner> OwnerOf);

/// <summary>Finds the tree a mount's <c>from</c> names.</summary>
internal interface IMountSourceProvider
{
    /// <summary>
    /// The build context (<paramref name="from"/> <c>null</c>), or the stage or image <paramref name="from"/> names,
    /// read once per build.
    /// </summary>
    Task<MountSource> OpenAsync(string? from, CancellationToken cancellationToken);
}
