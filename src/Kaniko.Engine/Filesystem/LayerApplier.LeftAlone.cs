using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// What unpacking leaves alone when the root is <c>/</c> of this container (<see cref="RootFs.LeavesIgnoredAlone"/>),
/// as kaniko does with its ignore list: the container's mounts and the tool's own folders are neither replaced nor
/// removed, and a directory holding one is only emptied of the rest.
/// </summary>
internal sealed partial class LayerApplier
{
    private bool IsLeftAlone(string containerPath) =>
        rootFs.LeavesIgnoredAlone && rootFs.IgnoredPaths.IsIgnored(containerPath);

    private bool HoldsLeftAlone(string containerPath) =>
        rootFs.LeavesIgnoredAlone && rootFs.IgnoredPaths.HoldsIgnored(containerPath);

    private void ReportLeftAlone(string containerPath) =>
        rootFs.Events.Report(new MessageEvent(
            string.Format(CultureInfo.InvariantCulture, "{0}: {1} is left as it is on disk (a mount point of this container or the tool's own)", description, containerPath),
            MessageImportance.Low));

    /// <summary>
    /// <see cref="Delete"/>, except that what is left alone stays: an ignored path is not removed, and a directory
    /// holding one loses only its other content.
    /// </summary>
    private void Remove(string hostPath)
    {
        var containerPath = SecurePath.ToContainerPath(Root, hostPath);
        if (IsLeftAlone(containerPath))
        {
            return;
        }

        if (HoldsLeftAlone(containerPath) && IsDirectory(hostPath))
        {
            foreach (var child in Directory.EnumerateFileSystemEntries(hostPath))
            {
                Remove(child);
            }

            return;
        }

        Delete(hostPath);
    }
}
