using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// The mount points, device nodes and files a step needs in its rootfs but the rootfs does not have. They are created
/// before the step and removed after it (when still empty), and the parent's modification time is put back, as
/// BuildKit's <c>MountStubsCleaner</c> does, so the step's layer does not hold them.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class MountStubs : IDisposable
{
    private const UnixFileMode DirectoryMode = (UnixFileMode)0x1ED; // 0755
    private const UnixFileMode FileMode = (UnixFileMode)0x1A4; // 0644
    private readonly string _rootFs;
    private readonly List<(string Path, string Parent, DateTime ParentModified)> _created = [];

    /// <summary>Starts with nothing created in <paramref name="rootFs"/>.</summary>
    public MountStubs(string rootFs)
    {
        _rootFs = rootFs;
    }

    /// <summary>
    /// Makes sure the directory <paramref name="containerPath"/> exists (symbolic links followed inside the rootfs)
    /// and returns the host path it resolves to.
    /// </summary>
    public string Directory(string containerPath)
    {
        var hostPath = Resolve(containerPath);
        CreateParents(hostPath, containerPath, includeSelf: true);
        return hostPath;
    }

    /// <summary>Makes sure a file (empty when created) exists at <paramref name="containerPath"/>; returns its host path.</summary>
    public string File(string containerPath)
    {
        var hostPath = Resolve(containerPath);
        CreateParents(hostPath, containerPath, includeSelf: false);
        if (!Exists(hostPath))
        {
            Record(hostPath, () => System.IO.File.Create(hostPath, 0, FileOptions.None).Dispose());
            System.IO.File.SetUnixFileMode(hostPath, FileMode);
        }
        else if (System.IO.Directory.Exists(hostPath))
        {
            throw Invalid(containerPath, "it is a directory, not a file");
        }

        return hostPath;
    }

    /// <summary>Records <paramref name="hostPath"/> made by <paramref name="create"/> so that it is removed afterwards.</summary>
    public void Record(string hostPath, Action create)
    {
        var parent = Path.GetDirectoryName(hostPath)!;
        var modified = System.IO.Directory.GetLastWriteTimeUtc(parent);
        create();
        _created.Add((hostPath, parent, modified));
    }

    /// <summary>The host path of <paramref name="containerPath"/> inside the rootfs.</summary>
    public string Resolve(string containerPath) => RootPath.Resolve(_rootFs, containerPath);

    /// <summary>The container path of a host path inside the rootfs.</summary>
    public string ContainerPath(string hostPath)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_rootFs)).TrimEnd('/');
        return hostPath.Length == root.Length ? "/" : hostPath[root.Length..];
    }

    /// <summary>Removes what was created, newest first, if it is still an empty directory or an empty file (device nodes have size 0).</summary>
    public void Dispose()
    {
        for (var i = _created.Count - 1; i >= 0; i--)
        {
            var (path, parent, modified) = _created[i];
            try
            {
                var info = new FileInfo(path);
                if (System.IO.Directory.Exists(path) && info.LinkTarget is null)
                {
                    if (System.IO.Directory.EnumerateFileSystemEntries(path).Any())
                    {
                        continue;
                    }

                    System.IO.Directory.Delete(path);
                }
                else if (info.Exists && info.Length == 0)
                {
                    info.Delete();
                }
                else
                {
                    continue;
                }

                System.IO.Directory.SetLastWriteTimeUtc(parent, modified);
            }
            catch (IOException)
            {
                // Something in the step replaced the stub; the snapshot then shows what the step did.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        _created.Clear();
    }

    private static bool Exists(string path) => System.IO.File.Exists(path) || System.IO.Directory.Exists(path) || new FileInfo(path).LinkTarget is not null;

    private void CreateParents(string hostPath, string containerPath, bool includeSelf)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_rootFs)).TrimEnd('/');
        var relative = hostPath.Length > root.Length ? hostPath[(root.Length + 1)..] : string.Empty;
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var count = includeSelf ? parts.Length : parts.Length - 1;
        var current = root;
        for (var i = 0; i < count; i++)
        {
            current += "/" + parts[i];
            if (System.IO.Directory.Exists(current))
            {
                continue;
            }

            if (Exists(current))
            {
                throw Invalid(containerPath, "/" + string.Join('/', parts[..(i + 1)]) + " is not a directory");
            }

            var path = current;
            Record(path, () => System.IO.Directory.CreateDirectory(path, DirectoryMode));
        }
    }

    private static KanikoException Invalid(string containerPath, string reason) =>
        new(DiagnosticCodes.RunMountInvalid, string.Format(
            System.Globalization.CultureInfo.InvariantCulture, Strings.RunMountInvalid, containerPath, reason));
}
