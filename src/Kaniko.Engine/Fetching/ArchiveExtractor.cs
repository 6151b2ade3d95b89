using System.Formats.Tar;
using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// Turns a (possibly compressed) tar archive into the layer entries ADD puts under a destination directory, as
/// BuildKit's unpack does (Docker's untar run in a chroot of the destination):
/// <list type="bullet">
/// <item>Names are cleaned lexically and joined with the destination as the root, so <c>..</c> and absolute names
/// stay inside it (<c>../../etc/passwd</c> becomes <c>DEST/etc/passwd</c>), and a name that goes through a symbolic
/// link made earlier by the same archive is resolved inside the destination too (a link to <c>/</c> means the
/// destination). No entry can leave the destination.</item>
/// <item>Modes (with setuid, setgid, sticky), owners and modification times come from the archive; <c>--chmod</c>
/// does not apply to unpacked content, and <c>--chown</c> replaces the owners (<see cref="WithOwner"/>, applied by
/// the caller).</item>
/// <item>Symbolic link targets are kept as written; hard links must point to a file earlier in the archive. A hard
/// link's header sets the owner, mode and time of the one file all its names share (Docker's untar chowns, chmods
/// and touches the new name), so the last name of a file decides them for every name.</item>
/// <item>A later entry replaces an earlier one with the same name (its children too), except that a directory over a
/// directory only takes the new metadata. Names starting with <c>.wh.</c> are ordinary files here, as for Docker's
/// untar (image readers will take them as whiteouts, as they do for BuildKit's layer).</item>
/// </list>
/// File contents are streamed to <see cref="ScratchDirectory"/> (the archive is read once, never held in memory);
/// the entries read them from there, so the folder must live until the layer is written. Parent folders the archive
/// does not list are not emitted: the executor, which knows the image's folders, adds them when needed.
/// </summary>
internal sealed class ArchiveExtractor
{
    private const int MaxSymbolicLinkHops = 255;

    /// <summary>Creates an extractor that keeps file contents under <paramref name="scratchDirectory"/> (created if missing).</summary>
    public ArchiveExtractor(string scratchDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(scratchDirectory);
        ScratchDirectory = scratchDirectory;
    }

    /// <summary>Where extracted file contents are kept until the layer is written.</summary>
    public string ScratchDirectory { get; }

    /// <summary>Extracts the host file <paramref name="archivePath"/> under the image path <paramref name="destination"/>.</summary>
    public async Task<IReadOnlyList<LayerEntry>> ExtractAsync(string archivePath, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archivePath);
        var file = new FileStream(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan | FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            return await ExtractAsync(file, archivePath, destination, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <paramref name="entries"/> owned by <paramref name="owner"/>: <c>ADD --chown</c> of an archive. BuildKit gives
    /// its unpack the <c>--chown</c> user as the untar's chown option since May 2025 (<c>file: add chown to archive
    /// unpack from copy</c>), so every unpacked entry gets it; modes and times stay the archive's.
    /// </summary>
    public static IReadOnlyList<LayerEntry> WithOwner(IReadOnlyList<LayerEntry> entries, CopyOwner owner)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return [.. entries.Select(e => e with { Uid = owner.Uid, Gid = owner.Gid, UserName = null, GroupName = null })];
    }

    /// <summary>
    /// Extracts the archive read from <paramref name="archive"/> (compression detected from its first bytes) under
    /// the image path <paramref name="destination"/>; <paramref name="archiveName"/> names it in errors.
    /// </summary>
    public async Task<IReadOnlyList<LayerEntry>> ExtractAsync(Stream archive, string archiveName, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentNullException.ThrowIfNull(archiveName);
        var prefix = LayerEntry.NormalizePath(destination ?? throw new ArgumentNullException(nameof(destination)), allowRoot: true);
        // One folder per extraction, so extractors sharing a scratch folder never collide.
        var contentDirectory = Directory.CreateDirectory(System.IO.Path.Combine(ScratchDirectory, Guid.NewGuid().ToString("N"))).FullName;
        var tree = new ExtractionTree(archiveName, contentDirectory);
        var decompressed = ArchiveDetector.OpenDecompressed(new NonClosingStream(archive), out _);
        await using (decompressed.ConfigureAwait(false))
        {
            var reader = PaxNewlineEscapingStream.OpenReader(decompressed);
            await using (reader.ConfigureAwait(false))
            {
                while (await NextEntryAsync(reader, archiveName, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    await AddAsync(tree, entry, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return tree.Entries(prefix);
    }

    private static async Task<TarEntry?> NextEntryAsync(TarReader reader, string archiveName, CancellationToken cancellationToken)
    {
        try
        {
            return await PaxNewlineEscapingStream.NextEntryAsync(reader, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException
            or ICSharpCode.SharpZipLib.SharpZipBaseException or ZstdSharp.ZstdException or SharpCompress.Common.SharpCompressException)
        {
            throw new KanikoException(DiagnosticCodes.ArchiveUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.ArchiveUnreadable, archiveName, e.Message), innerException: e);
        }
    }

    private static async Task AddAsync(ExtractionTree tree, TarEntry entry, CancellationToken cancellationToken)
    {
        switch (entry.EntryType)
        {
            case TarEntryType.GlobalExtendedAttributes:
                return;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                var hostPath = tree.NextContentPath();
                await SpoolAsync(entry, hostPath, tree.ArchiveName, cancellationToken).ConfigureAwait(false);
                tree.Add(entry.Name, key => Owned(LayerEntry.HostFile(key, hostPath, entry.Mode), entry));
                return;
            case TarEntryType.Directory:
                tree.Add(entry.Name, key => Owned(LayerEntry.Directory(key, entry.Mode), entry));
                return;
            case TarEntryType.SymbolicLink:
                tree.Add(entry.Name, key => Owned(LayerEntry.SymbolicLink(key, entry.LinkName), entry));
                return;
            case TarEntryType.HardLink:
                tree.AddHardLink(entry);
                return;
            default:
                throw new KanikoException(DiagnosticCodes.ArchiveEntryUnsupported, string.Format(CultureInfo.InvariantCulture,
                    Strings.ArchiveEntryUnsupported, tree.ArchiveName, entry.Name, Describe(entry.EntryType)));
        }
    }

    private static async Task SpoolAsync(TarEntry entry, string hostPath, string archiveName, CancellationToken cancellationToken)
    {
        var target = new FileStream(hostPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024, FileOptions.Asynchronous);
        await using (target.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                try
                {
                    await data.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or EndOfStreamException
                    or ICSharpCode.SharpZipLib.SharpZipBaseException or ZstdSharp.ZstdException or SharpCompress.Common.SharpCompressException)
                {
                    throw new KanikoException(DiagnosticCodes.ArchiveUnreadable,
                        string.Format(CultureInfo.InvariantCulture, Strings.ArchiveUnreadable, archiveName, e.Message), innerException: e);
                }
            }
        }
    }

    private static LayerEntry Owned(LayerEntry entry, TarEntry header) => entry with
    {
        Uid = header.Uid,
        Gid = header.Gid,
        ModificationTime = header.ModificationTime,
    };

    private static string Describe(TarEntryType type) => type switch
    {
        TarEntryType.CharacterDevice => "character device",
        TarEntryType.BlockDevice => "block device",
        TarEntryType.Fifo => "FIFO",
        TarEntryType.SparseFile => "sparse file",
        _ => "entry of type '" + (char)type + "'",
    };

    /// <summary>The entries extracted so far, keyed by their path under the destination, with the archive's links.</summary>
    private sealed class ExtractionTree(string archiveName, string contentDirectory)
    {
        private readonly Dictionary<string, LayerEntry> _entries = new(StringComparer.Ordinal);
        private readonly HashSet<string> _implicitDirectories = new(StringComparer.Ordinal);
        private int _contentCounter;

        public string ArchiveName { get; } = archiveName;

        public string NextContentPath() =>
            System.IO.Path.Combine(contentDirectory, (++_contentCounter).ToString("D8", CultureInfo.InvariantCulture));

        public void Add(string name, Func<string, LayerEntry> create)
        {
            var key = ResolveEntryPath(name);
            if (key is null)
            {
                // The destination itself ("./"): Docker's untar skips it and leaves the folder as it is.
                return;
            }

            Place(key, create(key));
        }

        public void AddHardLink(TarEntry header)
        {
            var (name, linkName) = (header.Name, header.LinkName);
            var key = ResolveEntryPath(name);
            var target = ResolveEntryPath(linkName);
            var targetEntry = target is null ? null : _entries.GetValueOrDefault(target);
            while (targetEntry is { Type: LayerEntryType.HardLink, LinkTarget: { } next })
            {
                target = next;
                targetEntry = _entries.GetValueOrDefault(next);
            }

            if (key is null || target is null || targetEntry is null || targetEntry.Type == LayerEntryType.Directory)
            {
                var reason = targetEntry is { Type: LayerEntryType.Directory } ? "a directory" : "which is not a file earlier in the archive";
                throw new KanikoException(DiagnosticCodes.ArchiveHardLinkInvalid,
                    string.Format(CultureInfo.InvariantCulture, Strings.ArchiveHardLinkInvalid, ArchiveName, name, linkName, reason));
            }

            // The names share one inode, whose owner, mode and time the newest header sets (Docker's untar applies
            // them to the link it makes): every name of the file takes them.
            var shared = Owned(targetEntry with { Mode = header.Mode }, header);
            foreach (var (path, entry) in _entries.Where(e => e.Key == target || e.Value is { Type: LayerEntryType.HardLink } link && link.LinkTarget == target).ToList())
            {
                _entries[path] = entry with { Mode = shared.Mode, Uid = shared.Uid, Gid = shared.Gid, ModificationTime = shared.ModificationTime };
            }

            Place(key, shared with
            {
                Path = key,
                Type = LayerEntryType.HardLink,
                LinkTarget = target,
                Size = 0,
                OpenContent = null,
            });
        }

        public IReadOnlyList<LayerEntry> Entries(string prefix) => _entries
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => e.Value with
            {
                Path = Under(prefix, e.Key),
                LinkTarget = e.Value.Type == LayerEntryType.HardLink ? Under(prefix, e.Value.LinkTarget!) : e.Value.LinkTarget,
            })
            .ToArray();

        private static string Under(string prefix, string key) => prefix.Length == 0 ? key : prefix + "/" + key;

        private void Place(string key, LayerEntry entry)
        {
            if (_entries.TryGetValue(key, out var existing) || _implicitDirectories.Contains(key))
            {
                var bothDirectories = entry.Type == LayerEntryType.Directory && (existing is null || existing.Type == LayerEntryType.Directory);
                if (!bothDirectories)
                {
                    RemoveTree(key);
                }
            }

            _implicitDirectories.Remove(key);
            _entries[key] = entry;
        }

        private void RemoveTree(string key)
        {
            var descendantPrefix = key + "/";
            foreach (var path in _entries.Keys.Where(k => k == key || k.StartsWith(descendantPrefix, StringComparison.Ordinal)).ToArray())
            {
                _entries.Remove(path);
            }

            _implicitDirectories.RemoveWhere(k => k == key || k.StartsWith(descendantPrefix, StringComparison.Ordinal));
        }

        /// <summary>
        /// The key (path under the destination) an archive name lands on: the name is cleaned lexically with the
        /// destination as root (as Go's <c>filepath.Clean</c> joined with the chroot's <c>/</c>), then its folders are
        /// resolved through the archive's symbolic links inside the same root. Null for the destination itself.
        /// </summary>
        private string? ResolveEntryPath(string name)
        {
            var segments = CleanInsideRoot(name);
            if (segments.Count == 0)
            {
                return null;
            }

            var parent = ResolveDirectory(name, segments.Take(segments.Count - 1));
            parent.Add(segments[^1]);
            return string.Join('/', parent);
        }

        private static List<string> CleanInsideRoot(string name)
        {
            var segments = new List<string>();
            foreach (var segment in name.Split('/'))
            {
                if (segment is "" or ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    continue;
                }

                segments.Add(segment);
            }

            return segments;
        }

        private List<string> ResolveDirectory(string name, IEnumerable<string> folders)
        {
            var resolved = new List<string>();
            var pending = new LinkedList<string>(folders);
            var hops = 0;
            while (pending.First is { } first)
            {
                pending.RemoveFirst();
                var segment = first.Value;
                if (segment is "" or ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (resolved.Count > 0)
                    {
                        resolved.RemoveAt(resolved.Count - 1);
                    }

                    continue;
                }

                var candidate = resolved.Count == 0 ? segment : string.Join('/', resolved) + "/" + segment;
                if (_entries.TryGetValue(candidate, out var existing))
                {
                    if (existing is { Type: LayerEntryType.SymbolicLink, LinkTarget: { } linkTarget })
                    {
                        if (++hops > MaxSymbolicLinkHops)
                        {
                            throw new KanikoException(DiagnosticCodes.ArchiveSymlinkLoop,
                                string.Format(CultureInfo.InvariantCulture, Strings.ArchiveSymlinkLoop, ArchiveName, name));
                        }

                        if (linkTarget.StartsWith('/'))
                        {
                            resolved.Clear();
                        }

                        foreach (var part in linkTarget.Split('/').Reverse())
                        {
                            pending.AddFirst(part);
                        }

                        continue;
                    }

                    if (existing.Type != LayerEntryType.Directory)
                    {
                        throw new KanikoException(DiagnosticCodes.ArchiveEntryParentNotDirectory,
                            string.Format(CultureInfo.InvariantCulture, Strings.ArchiveEntryParentNotDirectory, ArchiveName, name, candidate));
                    }
                }
                else
                {
                    _implicitDirectories.Add(candidate);
                }

                resolved.Add(segment);
            }

            return resolved;
        }
    }
}
