using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// The root filesystem of a stage: a host directory that plays <c>/</c> for the steps that run in it. Layers are
/// unpacked into it as the OCI image spec's "Applying changesets" says; every path is resolved with
/// <see cref="SecurePath"/>, so nothing a layer holds can write outside the directory. What the layers asked for and
/// the disk could not hold (owners when the process is not root) is kept here, and snapshots read it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RootFs
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (int Uid, int Gid, ulong Inode, long BornNs)> _wantedOwners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (byte[] Hash, long ChangedNs, ulong Inode)> _contentHashes = new(StringComparer.Ordinal);
    private bool _ownerWarningGiven;
    private bool _unmappedOwnerWarningGiven;

    /// <summary>Uses <paramref name="hostDirectory"/> (created when missing) as the root.</summary>
    /// <param name="hostDirectory">The host directory that plays <c>/</c>.</param>
    /// <param name="ignoredPaths">Paths snapshots leave out; <see cref="IgnoredPaths.Default"/> when null.</param>
    /// <param name="events">Receives the warnings (owners not applied, special files skipped).</param>
    public RootFs(string hostDirectory, IgnoredPaths? ignoredPaths = null, IBuildEventSink? events = null)
        : this(hostDirectory, ignoredPaths, events, privileged: null)
    {
    }

    /// <summary>As the public constructor; <paramref name="privileged"/> false acts as a non-root process would (for tests).</summary>
    internal RootFs(string hostDirectory, IgnoredPaths? ignoredPaths, IBuildEventSink? events, bool? privileged)
    {
        ArgumentNullException.ThrowIfNull(hostDirectory);
        if (!OperatingSystem.IsLinux())
        {
            // statx, mknod and the Linux device numbering are what this type is made of.
            throw new PlatformNotSupportedException("a root filesystem needs Linux");
        }

        var fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(hostDirectory));
        Directory.CreateDirectory(fullPath);
        // The walks open directories without following links; the root itself may be reached through one.
        HostDirectory = new DirectoryInfo(fullPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? fullPath;
        IgnoredPaths = ignoredPaths ?? IgnoredPaths.Default;
        Events = events ?? NullBuildEventSink.Instance;
        IsPrivileged = privileged ?? LibC.EffectiveUserId == 0;
        LeavesIgnoredAlone = HostDirectory == "/";
    }

    /// <summary>The host directory that plays <c>/</c>, as a full path without a trailing separator.</summary>
    public string HostDirectory { get; }

    /// <summary>Paths snapshots of this root leave out.</summary>
    public IgnoredPaths IgnoredPaths { get; }

    /// <summary>
    /// Whether unpacking leaves the ignored paths alone (kaniko's rule for <c>/</c> of its container, which is the
    /// default when the root is <c>/</c>): entries at or below them are skipped, and directories holding them are
    /// written into but never removed, so the container's mounts (<c>/etc/hostname</c>, <c>/sys</c>, secrets,
    /// volumes) and the tool itself stay as they are. The layers keep those entries: only the disk lacks them.
    /// </summary>
    internal bool LeavesIgnoredAlone { get; init; }

    /// <summary>
    /// Whether whiteouts are written as overlayfs's own (a character device 0/0, a directory marked opaque) instead of
    /// deleting: the root then holds one layer alone, kept as a lower folder of an overlay mount (the layer store's).
    /// </summary>
    internal bool KeepsWhiteouts { get; init; }

    /// <summary>
    /// With <see cref="KeepsWhiteouts"/>: the extended attribute that marks a directory opaque for the overlay that
    /// will mount the folder (<c>trusted.overlay.opaque</c> as root of the machine, <c>user.overlay.opaque</c> under
    /// <c>userxattr</c>). A layer's own attributes in that namespace are left out: overlayfs would obey them.
    /// </summary>
    internal string OverlayOpaqueAttribute { get; init; } = "trusted.overlay.opaque";

    /// <summary>
    /// With <see cref="KeepsWhiteouts"/>: the lookup of the metadata the layers below give a directory (by container
    /// path), for the directories a layer writes into without listing them, so the overlay shows them as the layers
    /// below do. Asked for once the layer's entries are written, and only when it has such directories, so it may
    /// wait for the layers below to be complete: they are unpacked at the same time.
    /// </summary>
    internal Func<CancellationToken, Task<Func<string, FileEntryMetadata?>>>? LowerDirectories { get; init; }

    /// <summary>
    /// Whether the content hash of each file a layer writes is recorded, for the diff of a later snapshot to trust
    /// (true). A layer store's folder is never diffed that way: hashing its files would only cost a pass over them.
    /// </summary>
    internal bool RecordsContentHashes { get; init; } = true;

    /// <summary>Sees each tar entry of an applied layer, in order, before it is written (its headers are kept from it).</summary>
    internal Action<System.Formats.Tar.TarEntry>? EntryRead { get; init; }

    /// <summary>Whether the process is root, so owners, device nodes and most extended attributes are applied.</summary>
    public bool IsPrivileged { get; }

    internal IBuildEventSink Events { get; }

    /// <summary>
    /// The owners layers asked for and the disk does not show, by container path: filled when the process is not root,
    /// and as the root of a user namespace for ids it does not map. Snapshots report these owners instead of the real ones.
    /// </summary>
    public IReadOnlyDictionary<string, (int Uid, int Gid)> WantedOwners
    {
        get
        {
            lock (_gate)
            {
                return _wantedOwners.ToDictionary(o => o.Key, o => (o.Value.Uid, o.Value.Gid), StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The host path of <paramref name="containerPath"/>, resolved inside the root (see <see cref="SecurePath.Resolve"/>).</summary>
    public string Resolve(string containerPath, bool followFinalLink = true) =>
        SecurePath.Resolve(HostDirectory, containerPath, followFinalLink);

    /// <summary>Unpacks <paramref name="layer"/>'s uncompressed tar (verified against its diff id) into the root.</summary>
    public async Task ApplyLayerAsync(ILayer layer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var stream = await layer.OpenUncompressedAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await ApplyTarAsync(stream, layer.Digest.ToString(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Unpacks an uncompressed layer tar, read once from start to end, into the root: whiteouts delete, opaque
    /// whiteouts clear what lower layers put in their directory, everything else is created with its mode, owner,
    /// times and extended attributes.
    /// </summary>
    /// <param name="tar">The uncompressed tar; read forward only, never held in memory.</param>
    /// <param name="description">Names the layer in messages, for example its digest.</param>
    /// <param name="cancellationToken">Stops between entries and while copying content.</param>
    /// <exception cref="KanikoException"><c>KANIKO4502</c> for a corrupt tar, <c>KANIKO4503</c> for a hard link to nothing.</exception>
    public async Task ApplyTarAsync(Stream tar, string? description = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var applier = new LayerApplier(this, description ?? "tar");
        await applier.ApplyAsync(tar, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Remembers the owner a layer gave a path, with the inode it had: a file a step later deletes and makes again
    /// is a new file (a new birth time, even when the inode number is reused), owned by whoever made it, and the
    /// record no longer applies.
    /// </summary>
    internal void RecordWantedOwner(string containerPath, int uid, int gid, ulong inode, long bornNs)
    {
        bool warn;
        lock (_gate)
        {
            _wantedOwners[containerPath] = (uid, gid, inode, bornNs);
            warn = !_ownerWarningGiven;
            _ownerWarningGiven = true;
        }

        if (warn)
        {
            Events.Report(new WarningEvent(new BuildWarning(
                DiagnosticCodes.RootFsOwnersNotApplied,
                string.Format(CultureInfo.InvariantCulture, Strings.RootFsOwnersNotApplied, containerPath, uid, gid))));
        }
    }

    /// <summary>
    /// Remembers an owner the disk cannot hold although the process is root: the root of a user namespace (a rootless
    /// build with subordinate ids) owns only the ids it maps. Warns once with the mapped range.
    /// </summary>
    internal void RecordUnmappedOwner(string description, string containerPath, int uid, int gid, ulong inode, long bornNs)
    {
        bool warn;
        lock (_gate)
        {
            _wantedOwners[containerPath] = (uid, gid, inode, bornNs);
            warn = !_unmappedOwnerWarningGiven;
            _unmappedOwnerWarningGiven = true;
        }

        if (warn)
        {
            var count = UserNamespaceIds.CurrentCount() ?? 0;
            Events.Report(new WarningEvent(new BuildWarning(
                DiagnosticCodes.RootlessOwnerOutsideRange,
                string.Format(CultureInfo.InvariantCulture, Strings.RootlessOwnerOutsideRange, description, containerPath, uid, gid, count, count - 1))));
        }
    }

    internal bool TryGetWantedOwner(string containerPath, out (int Uid, int Gid) owner)
    {
        lock (_gate)
        {
            var found = _wantedOwners.TryGetValue(containerPath, out var record);
            owner = (record.Uid, record.Gid);
            return found;
        }
    }

    /// <summary>A copy of the owner records, read once by an index walk.</summary>
    internal Dictionary<string, (int Uid, int Gid, ulong Inode, long BornNs)>? WantedOwnerRecords()
    {
        lock (_gate)
        {
            return _wantedOwners.Count == 0 ? null : new(_wantedOwners, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Remembers the hash of a file a layer wrote, with the change time and inode it had then: the hash is trusted
    /// later only while both are unchanged, so a file touched since is never matched by a stale hash.
    /// </summary>
    internal void RecordContentHash(string containerPath, byte[] hash, long changedNs, ulong inode)
    {
        lock (_gate)
        {
            _contentHashes[containerPath] = (hash, changedNs, inode);
        }
    }

    /// <summary>A copy of the recorded hashes for an index walk, or null when there are none.</summary>
    internal Dictionary<string, (byte[] Hash, long ChangedNs, ulong Inode)>? ContentHashRecords()
    {
        lock (_gate)
        {
            return _contentHashes.Count == 0 ? null : new(_contentHashes, StringComparer.Ordinal);
        }
    }

    internal void Warn(DiagnosticCode code, string message) =>
        Events.Report(new WarningEvent(new BuildWarning(code, message)));
}
