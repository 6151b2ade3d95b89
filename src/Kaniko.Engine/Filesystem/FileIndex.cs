using System.IO.Enumeration;
using System.Runtime.InteropServices;
using System.Text;

namespace Kaniko.Engine.Filesystem;

/// <summary>
/// The metadata of every path of a root filesystem at one moment, by absolute container path (the root itself is not
/// listed; ignored paths and what lies below them are left out). Built by a parallel <c>statx</c> walk; a snapshot
/// compares two of these, so its cost is a stat per path plus the bytes of what changed.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class FileIndex
{
    private const int DirectoryBufferSize = 32 * 1024;
    private const int PathBufferSize = 4096;

    private static volatile bool _useGetdents = true;

    private readonly Dictionary<string, FileEntryMetadata> _entries;

    internal FileIndex(Dictionary<string, FileEntryMetadata> entries) => _entries = entries;

    /// <summary>An index with no paths: a snapshot against it holds the whole tree.</summary>
    public static FileIndex Empty { get; } = new(new Dictionary<string, FileEntryMetadata>(StringComparer.Ordinal));

    /// <summary>How many paths the index holds.</summary>
    public int Count => _entries.Count;

    /// <summary>The container paths, in no particular order.</summary>
    public IEnumerable<string> Paths => _entries.Keys;

    /// <summary>The metadata of <paramref name="containerPath"/> (absolute and cleaned, for example <c>/etc/passwd</c>).</summary>
    public bool TryGetValue(string containerPath, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out FileEntryMetadata metadata) =>
        _entries.TryGetValue(containerPath, out metadata);

    /// <summary>Whether the index holds <paramref name="containerPath"/>.</summary>
    public bool Contains(string containerPath) => _entries.ContainsKey(containerPath);

    /// <summary>
    /// Walks <paramref name="rootFs"/> with <see cref="Environment.ProcessorCount"/> workers and stats every path
    /// that is not ignored. Owners layers asked for (when not root) replace the real ones, and content hashes of
    /// files the layers wrote, still untouched, are attached.
    /// </summary>
    public static Task<FileIndex> BuildAsync(RootFs rootFs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rootFs);
        return Task.Run(() => Build(rootFs, attachLayerHashes: true, cancellationToken), cancellationToken);
    }

    internal IEnumerable<KeyValuePair<string, FileEntryMetadata>> Entries => _entries;

    /// <summary>
    /// The parallel walk: one worker per processor, each going depth first through its own stack of directories and
    /// handing the oldest half of it (the directories nearest the root, so the biggest subtrees) to a worker that ran
    /// dry. An idle worker sleeps on a monitor until work is handed over or the walk ends: nothing spins.
    /// </summary>
    /// <param name="rootFs">The root to walk.</param>
    /// <param name="attachLayerHashes">Whether to take the content hashes recorded when layers were applied.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <param name="visit">
    /// Called on the walk's workers, in parallel, for every path found; returns the metadata to keep (a snapshot
    /// compares there, so the comparison is parallel too).
    /// </param>
    /// <param name="previous">
    /// The index this one will be compared with: a path it holds reuses its key string, and an entry whose metadata
    /// did not move reuses its record, so an unchanged path costs a <c>statx</c> and no allocation.
    /// </param>
    internal static FileIndex Build(
        RootFs rootFs,
        bool attachLayerHashes,
        CancellationToken cancellationToken,
        Func<string, FileEntryMetadata, FileEntryMetadata>? visit = null,
        FileIndex? previous = null)
    {
        var previousEntries = (previous ?? Empty)._entries.GetAlternateLookup<ReadOnlySpan<char>>();
        var wantedOwners = rootFs.WantedOwnerRecords();
        (int Uid, int Gid)? buildingUser = rootFs.IsPrivileged ? null : ((int)LibC.EffectiveUserId, (int)LibC.EffectiveGroupId);
        var ignored = rootFs.IgnoredPaths;
        var layerHashes = attachLayerHashes ? rootFs.ContentHashRecords() : null;
        var workers = Math.Max(1, Environment.ProcessorCount);
        var results = new List<KeyValuePair<string, FileEntryMetadata>>[workers];
        var handOff = new DirectoryHandOff(new PendingDirectory(rootFs.HostDirectory, string.Empty));
        Exception? failure = null;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, worker =>
        {
            var found = results[worker] = [];
            var own = new List<PendingDirectory>();
            PendingDirectory directory = default;

            void Record(string containerPath, FileEntryMetadata? metadata)
            {
                if (metadata is null)
                {
                    return;
                }

                if (wantedOwners is not null && wantedOwners.TryGetValue(containerPath, out var owner) && owner.Inode == metadata.Inode && owner.BornNs == metadata.BornNs)
                {
                    metadata = metadata with { Uid = owner.Uid, Gid = owner.Gid };
                }
                else if (buildingUser is { } self && (metadata.Uid == self.Uid || metadata.Gid == self.Gid))
                {
                    // Rootless with one mapped id: what the steps wrote belongs to the building user on disk and
                    // to root in the image (the KANIKO4460 warning says so), never to a host id.
                    metadata = metadata with { Uid = metadata.Uid == self.Uid ? 0 : metadata.Uid, Gid = metadata.Gid == self.Gid ? 0 : metadata.Gid };
                }

                if (layerHashes is not null && metadata.Kind == FileEntryKind.RegularFile
                    && layerHashes.TryGetValue(containerPath, out var known) && known.ChangedNs == metadata.ChangedNs && known.Inode == metadata.Inode)
                {
                    metadata = metadata with { ContentHash = known.Hash };
                }

                if (visit is not null)
                {
                    metadata = visit(containerPath, metadata);
                }

                found.Add(new(containerPath, metadata));
                if (metadata.Kind == FileEntryKind.Directory)
                {
                    own.Add(new PendingDirectory(
                        string.Concat(directory.Host, "/", containerPath.AsSpan(directory.Container.Length + 1)), containerPath));
                }
            }

            var state = new WalkerState(new byte[DirectoryBufferSize], new char[PathBufferSize], previousEntries, ignored, Record);
            var tookWork = false;
            var drained = false;
            try
            {
                while (Volatile.Read(ref failure) is null)
                {
                    if (own.Count > 1 && handOff.AnyoneIdle)
                    {
                        handOff.GiveOldestHalf(own);
                    }

                    if (own.Count > 0)
                    {
                        directory = own[^1];
                        own.RemoveAt(own.Count - 1);
                    }
                    else if (handOff.TryTake(wasWorking: tookWork, out directory))
                    {
                        tookWork = true;
                    }
                    else
                    {
                        drained = true;
                        break;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    ListDirectory(directory, state);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                Interlocked.CompareExchange(ref failure, exception, null);
            }
            finally
            {
                if (!drained)
                {
                    // Leaving with work undone (a failure here or elsewhere): wake the sleepers so they stop too.
                    handOff.Abandon();
                }
            }
        });

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        var entries = new Dictionary<string, FileEntryMetadata>(results.Sum(r => r.Count), StringComparer.Ordinal);
        foreach (var list in results)
        {
            foreach (var (path, metadata) in list)
            {
                entries[path] = metadata;
            }
        }

        return new FileIndex(entries);
    }

    /// <summary>Opens one directory and records each entry not ignored; a directory gone meanwhile has nothing to index.</summary>
    private static void ListDirectory(PendingDirectory directory, WalkerState state)
    {
        var fd = LibC.OpenDirectory(directory.Host);
        if (fd < 0)
        {
            return;
        }

        try
        {
            if (_useGetdents && ListWithGetdents(fd, directory, state))
            {
                return;
            }

            foreach (var containerPath in ListChildren(directory.Host, directory.Container))
            {
                if (!state.Ignored.IsIgnored(containerPath))
                {
                    state.Record(containerPath, FileStat.TryReadAt(fd, directory.Host, containerPath.AsSpan(directory.Container.Length + 1)));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed while the walk ran: there is nothing under it to index.
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>
    /// Lists an open directory with <c>getdents64</c> and stats each entry by the raw name bytes the kernel gave,
    /// with no path strings for the kernel to walk; false (nothing listed) when the C library lacks the call. The
    /// container path is decoded into the worker's path buffer and looked up in the previous index first, so a
    /// known path keeps the previous key string instead of a new one.
    /// </summary>
    private static bool ListWithGetdents(int fd, PendingDirectory directory, WalkerState state)
    {
        var buffer = state.DirectoryBuffer;
        try
        {
            int read;
            while ((read = LibC.ReadDirectory(fd, buffer)) > 0)
            {
                for (var offset = 0; offset < read;)
                {
                    var recordLength = MemoryMarshal.Read<ushort>(buffer.AsSpan(offset + 16));
                    var nameStart = offset + 19;
                    var nameLength = buffer.AsSpan(nameStart, recordLength - 19).IndexOf((byte)0);
                    offset += recordLength;
                    var name = buffer.AsSpan(nameStart, nameLength);
                    if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
                    {
                        continue;
                    }

                    var path = JoinUtf8(directory.Container, name, state.PathBuffer);
                    string containerPath;
                    if (!state.PreviousEntries.TryGetValue(path, out var knownPath, out var before))
                    {
                        containerPath = new string(path);
                        before = null;
                    }
                    else
                    {
                        containerPath = knownPath;
                    }

                    if (state.Ignored.IsIgnored(containerPath))
                    {
                        continue;
                    }

                    state.Record(containerPath, FileStat.TryReadAt(fd, directory.Host, ref buffer[nameStart], containerPath.AsSpan(directory.Container.Length + 1), before));
                }
            }

            return true;
        }
        catch (EntryPointNotFoundException)
        {
            _useGetdents = false;
            return false;
        }
    }

    /// <summary><c>directory/name</c> decoded into <paramref name="pathBuffer"/> (a new array when it is too small).</summary>
    private static ReadOnlySpan<char> JoinUtf8(string directory, ReadOnlySpan<byte> name, char[] pathBuffer)
    {
        var length = directory.Length + 1 + name.Length; // UTF-8 never has fewer bytes than UTF-16 has chars
        var chars = length <= pathBuffer.Length ? pathBuffer.AsSpan() : new char[length];
        directory.CopyTo(chars);
        chars[directory.Length] = '/';
        var written = Encoding.UTF8.GetChars(name, chars[(directory.Length + 1)..]);
        return chars[..(directory.Length + 1 + written)];
    }

    /// <summary>What one worker of the walk lists directories with: its buffers, the lookups and where entries go.</summary>
    private sealed record WalkerState(
        byte[] DirectoryBuffer,
        char[] PathBuffer,
        Dictionary<string, FileEntryMetadata>.AlternateLookup<ReadOnlySpan<char>> PreviousEntries,
        IgnoredPaths Ignored,
        Action<string, FileEntryMetadata?> Record);

    /// <summary>The container paths of a directory's entries, made straight from the enumerator's name buffer.</summary>
    private static FileSystemEnumerable<string> ListChildren(string hostDirectory, string containerDirectory) =>
        new(hostDirectory, (ref FileSystemEntry entry) => string.Concat(containerDirectory, "/", entry.FileName), new EnumerationOptions
        {
            RecurseSubdirectories = false,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
            MatchType = MatchType.Simple,
        });
}
