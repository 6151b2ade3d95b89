using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// Unpacks one layer tar into a <see cref="RootFs"/>. One instance per layer: it remembers which paths this layer
/// wrote (an opaque whiteout spares them), the directory times to set once their content is written, and the
/// files whose hashes to record.
/// One cohesive algorithm, kept in one file on purpose: applying a tar entry, a whiteout or a link depends on
/// what the same layer wrote before it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed partial class LayerApplier(RootFs rootFs, string description)
{
    private const string PaxXattrPrefix = "SCHILY.xattr.";
    private const string LibarchiveXattrPrefix = "LIBARCHIVE.xattr.";
    private const int CopyBufferSize = 128 * 1024;

    // Every path this layer wrote, and all their ancestors: an opaque whiteout keeps these.
    private readonly HashSet<string> _touched = new(StringComparer.Ordinal);
    private readonly List<(string HostPath, DateTimeOffset Time)> _directoryTimes = [];
    private readonly List<(string ContainerPath, string HostPath, byte[] Hash)> _writtenFiles = [];
    private readonly Dictionary<string, byte[]> _hashByHostPath = new(StringComparer.Ordinal);

    // Directories made only because an entry lies below them (the layer does not list them), deepest last.
    private readonly List<string> _implicitDirectories = [];
    private bool _specialFileWarningGiven;
    private PaxXattrSniffer? _sniffer;

    private string Root => rootFs.HostDirectory;

    public async Task ApplyAsync(Stream tar, CancellationToken cancellationToken)
    {
        _sniffer = new PaxXattrSniffer(tar);
        // The sniffer sees the raw bytes, before newlines in PAX values are escaped for the reader.
        var reader = PaxNewlineEscapingStream.OpenReader(_sniffer);
        await using (reader.ConfigureAwait(false))
        {
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = await PaxNewlineEscapingStream.NextEntryAsync(reader, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is InvalidDataException or FormatException or EndOfStreamException)
                {
                    throw new KanikoException(
                        DiagnosticCodes.LayerUnreadable,
                        string.Format(CultureInfo.InvariantCulture, Strings.LayerUnreadable, description, exception.Message));
                }

                if (entry is null)
                {
                    break;
                }

                rootFs.EntryRead?.Invoke(entry);
                await ApplyEntryAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }

        // Directory times last: writing a directory's content moves its modification time.
        for (var i = _directoryTimes.Count - 1; i >= 0; i--)
        {
            var (hostPath, time) = _directoryTimes[i];
            if (LibC.TryLstat(hostPath, out var stat) && FileStat.KindOf(stat.Mode) == FileEntryKind.Directory)
            {
                LibC.SetTimes(hostPath, time);
            }
        }

        if (_implicitDirectories.Count > 0 && rootFs.LowerDirectories is { } lowerDirectories)
        {
            var lowerDirectory = await lowerDirectories(cancellationToken).ConfigureAwait(false);
            foreach (var hostPath in _implicitDirectories)
            {
                if (lowerDirectory(SecurePath.ToContainerPath(Root, hostPath)) is { } lower)
                {
                    LibC.Lchown(hostPath, lower.Uid, lower.Gid);
                    File.SetUnixFileMode(hostPath, lower.Mode);
                    LibC.SetTimes(hostPath, lower.ModificationTime);
                }
            }
        }

        foreach (var (containerPath, hostPath, hash) in _writtenFiles)
        {
            if (LibC.TryLstat(hostPath, out var stat) && FileStat.KindOf(stat.Mode) == FileEntryKind.RegularFile)
            {
                rootFs.RecordContentHash(containerPath, hash, (stat.ChangeSeconds * 1_000_000_000) + stat.ChangeNanoseconds, stat.Inode);
            }
        }
    }

    private async Task ApplyEntryAsync(TarEntry entry, CancellationToken cancellationToken)
    {
        var path = ContainerPath.Parse(entry.Name);
        var name = path.Name;
        if (name == LayerEntry.OpaqueWhiteoutName)
        {
            if (IsLeftAlone(path.Parent.Value))
            {
                return;
            }

            var directory = SecurePath.Resolve(Root, path.Parent.Value);
            if (rootFs.KeepsWhiteouts)
            {
                MarkOpaque(directory);
                return;
            }

            if (LibC.TryLstat(directory, out var stat) && FileStat.KindOf(stat.Mode) == FileEntryKind.Directory)
            {
                Prune(directory, path.Parent.IsRoot ? string.Empty : path.Parent.Value);
            }

            return;
        }

        if (name.StartsWith(LayerEntry.WhiteoutPrefix, StringComparison.Ordinal))
        {
            var target = name[LayerEntry.WhiteoutPrefix.Length..];
            if (target is "" or "." or "..")
            {
                // ".wh.", ".wh.." and ".wh..." name no sibling: cleaning them would delete the directory or its parent.
                return;
            }

            var deleted = path.Parent.Append(target);
            if (!deleted.IsRoot && rootFs.KeepsWhiteouts)
            {
                WriteOverlayWhiteout(SecurePath.ResolveEntry(Root, deleted.Value));
            }
            else if (!deleted.IsRoot)
            {
                Remove(SecurePath.ResolveEntry(Root, deleted.Value));
            }

            return;
        }

        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return;
        }

        if (path.IsRoot && entry.EntryType != TarEntryType.Directory)
        {
            // Only a directory can stand for the root; anything else there would replace the whole tree.
            return;
        }

        if (IsLeftAlone(path.Value) || (entry.EntryType != TarEntryType.Directory && HoldsLeftAlone(path.Value)))
        {
            // A mount of this container (or the tool's own folder), or a directory holding one that this entry
            // would replace: the disk keeps what is there; the layer, and so the image, keeps the entry.
            ReportLeftAlone(path.Value);
            return;
        }

        var hostPath = SecurePath.ResolveEntry(Root, path.Value);
        if (!path.IsRoot)
        {
            EnsureParentDirectory(hostPath);
        }

        MarkTouched(path.Value);
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                _implicitDirectories.Remove(hostPath);
                if (!IsDirectory(hostPath))
                {
                    Remove(hostPath);
                    Directory.CreateDirectory(hostPath);
                }

                ApplyMetadata(entry, path, hostPath);
                _directoryTimes.Add((hostPath, entry.ModificationTime));
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                Remove(hostPath);
                if (await WriteFileAsync(entry, hostPath, rootFs.RecordsContentHashes, cancellationToken).ConfigureAwait(false) is { } hash)
                {
                    _writtenFiles.Add((path.Value, hostPath, hash));
                    _hashByHostPath[hostPath] = hash;
                }

                break;
            case TarEntryType.SymbolicLink:
                Remove(hostPath);
                File.CreateSymbolicLink(hostPath, entry.LinkName);
                break;
            case TarEntryType.HardLink:
                ApplyHardLink(entry, path, hostPath);
                return;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                if (!MakeSpecialFile(entry, path, hostPath))
                {
                    return;
                }

                break;
            default:
                WarnSpecialFile(entry.EntryType.ToString(), path, "this entry type is not supported");
                return;
        }

        ApplyMetadata(entry, path, hostPath);
        LibC.SetTimes(hostPath, entry.ModificationTime);
    }

    private static async Task<byte[]?> WriteFileAsync(TarEntry entry, string hostPath, bool hashed, CancellationToken cancellationToken)
    {
        using var hash = hashed ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var file = new FileStream(hostPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: false);
        await using (file.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
                try
                {
                    int read;
                    while ((read = await data.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash?.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        return hash?.GetHashAndReset();
    }

    private void ApplyHardLink(TarEntry entry, ContainerPath path, string hostPath)
    {
        var target = ContainerPath.Parse(entry.LinkName);
        var targetHost = SecurePath.ResolveEntry(Root, target.Value);
        if (!LibC.TryLstat(targetHost, out var stat) || FileStat.KindOf(stat.Mode) == FileEntryKind.Directory)
        {
            throw new KanikoException(
                DiagnosticCodes.LayerHardLinkInvalid,
                string.Format(
                    CultureInfo.InvariantCulture,
                    Strings.LayerHardLinkInvalid,
                    description,
                    path.Value,
                    target.Value,
                    LibC.TryLstat(targetHost, out _) ? "which is a directory" : "which does not exist"));
        }

        if (targetHost == hostPath)
        {
            return;
        }

        Remove(hostPath);
        LibC.Link(targetHost, hostPath);
        if (_hashByHostPath.TryGetValue(targetHost, out var targetHash))
        {
            _writtenFiles.Add((path.Value, hostPath, targetHash));
            _hashByHostPath[hostPath] = targetHash;
        }

        if (rootFs.TryGetWantedOwner(SecurePath.ToContainerPath(Root, targetHost), out var owner))
        {
            if (rootFs.IsPrivileged)
            {
                rootFs.RecordUnmappedOwner(description, path.Value, owner.Uid, owner.Gid, stat.Inode, BornNs(stat));
            }
            else
            {
                rootFs.RecordWantedOwner(path.Value, owner.Uid, owner.Gid, stat.Inode, BornNs(stat));
            }
        }
    }

    private bool MakeSpecialFile(TarEntry entry, ContainerPath path, string hostPath)
    {
        var kind = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => "character device",
            TarEntryType.BlockDevice => "block device",
            _ => "FIFO",
        };
        if (!rootFs.IsPrivileged && entry.EntryType != TarEntryType.Fifo)
        {
            WarnSpecialFile(kind, path, "making device nodes needs root");
            return false;
        }

        var type = entry.EntryType switch
        {
            TarEntryType.CharacterDevice => LibC.CharacterDevice,
            TarEntryType.BlockDevice => LibC.BlockDevice,
            _ => LibC.Fifo,
        };
        var (major, minor) = entry is PosixTarEntry posix ? (posix.DeviceMajor, posix.DeviceMinor) : (0, 0);
        Remove(hostPath);
        try
        {
            LibC.Mknod(hostPath, type | ((uint)entry.Mode & 0xFFF), (uint)major, (uint)minor);
            return true;
        }
        catch (IOException exception)
        {
            // A container without CAP_MKNOD: the build goes on without the node, as rootless unpackers do.
            WarnSpecialFile(kind, path, exception.Message);
            return false;
        }
    }

    private void WarnSpecialFile(string kind, ContainerPath path, string reason)
    {
        if (_specialFileWarningGiven)
        {
            return;
        }

        _specialFileWarningGiven = true;
        rootFs.Warn(
            DiagnosticCodes.RootFsSpecialFileSkipped,
            string.Format(CultureInfo.InvariantCulture, Strings.RootFsSpecialFileSkipped, description, kind, path.Value, reason));
    }

    private void ApplyMetadata(TarEntry entry, ContainerPath path, string hostPath)
    {
        var isLink = entry.EntryType == TarEntryType.SymbolicLink;
        if (rootFs.IsPrivileged)
        {
            var errno = LibC.TryLchown(hostPath, (uint)entry.Uid, (uint)entry.Gid);
            if (errno == LibC.EInval && LibC.TryLstat(hostPath, out var unmapped))
            {
                // Root of a user namespace: an id it does not map cannot own a file; the index reports it instead.
                rootFs.RecordUnmappedOwner(description, path.Value, entry.Uid, entry.Gid, unmapped.Inode, BornNs(unmapped));
            }
            else if (errno != 0)
            {
                LibC.Lchown(hostPath, entry.Uid, entry.Gid);
            }
        }
        else if (LibC.TryLstat(hostPath, out var stat))
        {
            rootFs.RecordWantedOwner(path.Value, entry.Uid, entry.Gid, stat.Inode, BornNs(stat));
        }

        // After chown, which clears setuid and setgid; links have no mode of their own on Linux.
        if (!isLink && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(hostPath, (UnixFileMode)((int)entry.Mode & 0xFFF));
        }

        if (entry is PaxTarEntry pax)
        {
            ApplyExtendedAttributes(pax, path, hostPath);
        }
    }

    private void ApplyExtendedAttributes(PaxTarEntry entry, ContainerPath path, string hostPath)
    {
        foreach (var (key, value) in entry.ExtendedAttributes)
        {
            string name;
            byte[] bytes;
            if (key.StartsWith(PaxXattrPrefix, StringComparison.Ordinal))
            {
                name = key[PaxXattrPrefix.Length..];
                // The reader decodes PAX values as UTF-8, so a binary value comes back with replacement characters:
                // the raw bytes come from the sniffer, trusted only when they decode to what the reader returned.
                // A NUL may stand for an escaped newline (PaxNewlineEscapingStream): the raw bytes say which.
                if (!value.Contains('\uFFFD', StringComparison.Ordinal) && !value.Contains('\0', StringComparison.Ordinal))
                {
                    bytes = Encoding.UTF8.GetBytes(value);
                }
                else if (_sniffer?.LastEntryAttributes?.GetValueOrDefault(name) is { } raw && Encoding.UTF8.GetString(raw).Replace('\n', '\0') == value)
                {
                    bytes = raw;
                }
                else
                {
                    WarnXattr(name, path, "its binary value could not be read exactly");
                    continue;
                }
            }
            else if (key.StartsWith(LibarchiveXattrPrefix, StringComparison.Ordinal))
            {
                // libarchive's form: URL-encoded name, base64 value, so binary values survive.
                name = Uri.UnescapeDataString(key[LibarchiveXattrPrefix.Length..]);
                try
                {
                    bytes = Convert.FromBase64String(value);
                }
                catch (FormatException)
                {
                    WarnXattr(name, path, "its value is not base64");
                    continue;
                }
            }
            else
            {
                continue;
            }

            if (rootFs.KeepsWhiteouts && IsOverlayOwn(name))
            {
                WarnXattr(name, path, "overlayfs would take it as its own on the layer store's folder");
                continue;
            }

            var errno = LibC.TrySetXattr(hostPath, name, bytes);
            if (errno != 0)
            {
                WarnXattr(name, path, System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno));
            }
        }
    }

    // trusted.overlay.* or user.overlay.*, whichever namespace the overlay that mounts the folder reads.
    private bool IsOverlayOwn(string name) =>
        name.StartsWith(rootFs.OverlayOpaqueAttribute[..(rootFs.OverlayOpaqueAttribute.LastIndexOf('.') + 1)], StringComparison.Ordinal);

    private void WarnXattr(string name, ContainerPath path, string reason) =>
        rootFs.Warn(
            DiagnosticCodes.RootFsXattrSkipped,
            string.Format(CultureInfo.InvariantCulture, Strings.RootFsXattrSkipped, description, name, path.Value, reason));

    private void MarkTouched(string containerPath)
    {
        var current = ContainerPath.Parse(containerPath);
        while (!current.IsRoot && _touched.Add(current.Value))
        {
            current = current.Parent;
        }
    }

    /// <summary>
    /// Clears a directory for an opaque whiteout: what lower layers put there goes, what this layer already wrote
    /// stays (a directory this layer wrote into is pruned in turn).
    /// </summary>
    private void Prune(string hostDirectory, string containerDirectory)
    {
        foreach (var child in Directory.EnumerateFileSystemEntries(hostDirectory))
        {
            var childPath = containerDirectory + "/" + Path.GetFileName(child);
            if (!_touched.Contains(childPath))
            {
                Remove(child);
            }
            else if (IsDirectory(child))
            {
                Prune(child, childPath);
            }
        }
    }

    // A layer kept for an overlay mount (RootFs.KeepsWhiteouts) says what it hides as overlayfs does: a character
    // device 0/0 for a deleted path, the opaque attribute of the overlay's form on a directory that replaces the lower ones.
    private void WriteOverlayWhiteout(string hostPath)
    {
        EnsureParentDirectory(hostPath);
        Remove(hostPath);
        LibC.Mknod(hostPath, LibC.CharacterDevice, 0, 0);
    }

    private void MarkOpaque(string hostDirectory)
    {
        if (!IsDirectory(hostDirectory))
        {
            EnsureParentDirectory(hostDirectory);
            Remove(hostDirectory);
            Directory.CreateDirectory(hostDirectory);
        }

        if (LibC.TrySetXattr(hostDirectory, rootFs.OverlayOpaqueAttribute, "y"u8.ToArray()) is var errno and not 0)
        {
            throw LibC.Error("setxattr " + rootFs.OverlayOpaqueAttribute, hostDirectory, errno);
        }
    }

    private void EnsureParentDirectory(string hostPath)
    {
        var parent = Path.GetDirectoryName(hostPath)!;
        if (IsDirectory(parent))
        {
            return;
        }

        // The parent was resolved inside the root; missing elements are made, an element that is a file is replaced.
        var missing = new Stack<string>();
        var current = parent;
        while (current.Length > Root.Length && !IsDirectory(current))
        {
            missing.Push(current);
            current = Path.GetDirectoryName(current)!;
        }

        while (missing.TryPop(out var directory))
        {
            Remove(directory);
            Directory.CreateDirectory(directory);
            if (rootFs.LowerDirectories is not null)
            {
                _implicitDirectories.Add(directory);
            }
        }
    }

    private static long BornNs(in LibC.StatxBuffer stat) =>
        (stat.Mask & LibC.StatxBirthTime) != 0 ? (stat.BirthSeconds * 1_000_000_000) + stat.BirthNanoseconds : 0;

    internal static bool IsDirectory(string hostPath) =>
        LibC.TryLstat(hostPath, out var stat) && FileStat.KindOf(stat.Mode) == FileEntryKind.Directory;

    /// <summary>Removes whatever <paramref name="hostPath"/> is, a directory with its content; links are removed, never followed.</summary>
    internal static void Delete(string hostPath)
    {
        if (!LibC.TryLstat(hostPath, out var stat))
        {
            return;
        }

        if (FileStat.KindOf(stat.Mode) == FileEntryKind.Directory)
        {
            Directory.Delete(hostPath, recursive: true);
        }
        else
        {
            File.Delete(hostPath);
        }
    }
}
