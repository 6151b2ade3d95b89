using System.Globalization;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// Copies the part of a <see cref="MountSource"/> a mount needs into a private host folder, so that the step sees
/// exactly the tree BuildKit would mount: ignored files absent, modes, owners and times kept, symbolic links copied
/// as links (they are read inside the sandbox, never followed here), and a read-write mount's writes landing in a copy
/// that is thrown away.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class MountSourceCopier
{
    /// <summary>
    /// Resolves <paramref name="sourcePath"/> inside the tree (links followed as if the tree were <c>/</c>, so
    /// nothing outside it is reachable) and copies what it names to <paramref name="destination"/>, which must not
    /// exist. Returns whether it is a directory.
    /// </summary>
    /// <exception cref="KanikoException"><c>KANIKO4605</c> when the path does not exist in the tree.</exception>
    public static bool Copy(MountSource source, string sourcePath, string destination, CancellationToken cancellationToken)
    {
        var relative = RootPath.Clean(sourcePath).TrimStart('/');
        var resolved = source.Tree.Resolve(relative, followFinalLink: true, out _);
        var entry = resolved is null ? null : source.Tree.Get(resolved);
        if (resolved is null || entry is null)
        {
            throw new KanikoException(DiagnosticCodes.MountSourceNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.MountSourceNotFound, RootPath.Clean(sourcePath), source.Description));
        }

        if (entry.Kind != ContextEntryKind.Directory)
        {
            CopyFile(source, resolved, entry, destination);
            return false;
        }

        Directory.CreateDirectory(destination);
        CopyChildren(source, resolved, destination, cancellationToken);
        Finish(source, resolved, entry, destination);
        return true;
    }

    private static void CopyChildren(MountSource source, string directory, string destination, CancellationToken cancellationToken)
    {
        foreach (var child in source.Tree.Children(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var target = Path.Combine(destination, child.Path[(child.Path.LastIndexOf('/') + 1)..]);
            switch (child.Kind)
            {
                case ContextEntryKind.Directory:
                    Directory.CreateDirectory(target);
                    CopyChildren(source, child.Path, target, cancellationToken);
                    Finish(source, child.Path, child, target);
                    break;
                case ContextEntryKind.SymbolicLink:
                    File.CreateSymbolicLink(target, child.LinkTarget ?? "");
                    Finish(source, child.Path, child, target);
                    break;
                default:
                    CopyFile(source, child.Path, child, target);
                    break;
            }
        }
    }

    private static void CopyFile(MountSource source, string path, ContextEntry entry, string destination)
    {
        using (var input = source.Files.OpenRead(path))
        using (var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
        {
            input.CopyTo(output);
        }

        Finish(source, path, entry, destination);
    }

    // Mode, owner and time once the content is in place (a read-only folder can then still be filled as non-root).
    private static void Finish(MountSource source, string path, ContextEntry entry, string destination)
    {
        var isLink = entry.Kind == ContextEntryKind.SymbolicLink;
        if (!isLink)
        {
            File.SetUnixFileMode(destination, entry.Mode);
        }

        if (LibC.EffectiveUserId == 0)
        {
            var owner = source.OwnerOf(path);
            LibC.Lchown(destination, owner.Uid, owner.Gid);
        }

        LibC.SetTimes(destination, entry.ModificationTime);
    }
}
