using System.Globalization;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution;

/// <summary>
/// A temporary folder of one build (<c>kaniko-dotnet-build-*</c>, <c>kaniko-run-*</c>) that says whose it is: an
/// owner file inside it holds the owner's process id and stays locked (an exclusive <c>flock</c>, which .NET takes
/// for <see cref="FileShare.None"/>) while the owner lives. The kernel drops the lock when the process ends however it
/// ends, so a later build can tell a folder left by a killed build (<see cref="RemoveAbandoned"/>) from one in use,
/// across processes and PID namespaces that share the folder, where a process id alone would not say.
/// </summary>
internal sealed class OwnedFolder : IDisposable
{
    /// <summary>The owner file's name inside the folder.</summary>
    public const string OwnerFileName = ".kaniko-owner";

    // A folder without a written owner file is being created (or was left by a version without owner files): it is
    // removed only once it is clearly older than any folder still being set up.
    private static readonly TimeSpan UnownedAge = TimeSpan.FromHours(1);

    private readonly FileStream _owner;

    private OwnedFolder(string path, FileStream owner)
    {
        Path = path;
        _owner = owner;
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>Creates <c>PARENT/PREFIX&lt;random&gt;</c> and takes its owner lock.</summary>
    public static OwnedFolder Create(string parent, string prefix)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(parent), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var owner = new FileStream(System.IO.Path.Combine(path, OwnerFileName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        // Written only once the lock is held: an empty owner file means "not set up yet", never "owner gone".
        owner.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        owner.Flush();
        return new OwnedFolder(path, owner);
    }

    /// <summary>
    /// Removes the folders named <c>PREFIX*</c> in <paramref name="parent"/> whose owner is gone, and returns how many.
    /// Nothing is removed when file locking is switched off for this process (then a live owner cannot be told).
    /// </summary>
    public static int RemoveAbandoned(string parent, string prefix)
    {
        if (FileLocking.Disabled || !Directory.Exists(parent))
        {
            return 0;
        }

        var removed = 0;
        foreach (var folder in new DirectoryInfo(parent).EnumerateDirectories(prefix + "*"))
        {
            if (folder.LinkTarget is null && IsAbandoned(folder) && TryRemove(folder.FullName))
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Removes the folder (unmounting what a killed step left mounted in it), then drops the lock.</summary>
    public void Dispose()
    {
        // The lock goes first: Windows cannot delete a file held open without sharing.
        _owner.Dispose();
        TryRemove(Path);
    }

    private static bool IsAbandoned(DirectoryInfo folder)
    {
        try
        {
            using var owner = new FileStream(System.IO.Path.Combine(folder.FullName, OwnerFileName), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return owner.Length > 0 || IsOld(folder);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return IsOld(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Locked: its owner is alive. Or not ours to open: not ours to remove either.
            return false;
        }
    }

    private static bool IsOld(DirectoryInfo folder) => folder.LastWriteTimeUtc < DateTime.UtcNow - UnownedAge;

    private static bool TryRemove(string path)
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                RootFsCleanup.Remove(path);
            }
            else if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder must not turn a build into a failure; the next build tries again.
            return false;
        }
    }
}
