using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Context;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The <c>RUN</c> part of a cache key, and what a cached <c>RUN</c> layer must carry for later steps: the
/// directories it made or changed and the paths it deleted (<see cref="StageFilesystem.Record"/> without the layer).
/// </summary>
internal static class RunCacheKey
{
    /// <summary>
    /// Adds the command and its flags to <paramref name="key"/>; returns <c>false</c> when the step cannot be keyed
    /// from what is known here. A <c>--mount</c> is keyed by its kind, target and id, never by a secret's value; a
    /// bind mount also by every entry of the tree it mounts (names, kinds, modes, owners, link targets and the
    /// sha256 of each file), read through <paramref name="sources"/>; without them a step with a bind mount is not
    /// cached.
    /// </summary>
    public static async Task<bool> TryAddAsync(
        CacheKeyBuilder key, RunInstruction run, RunCommandSpec command, IMountSourceProvider? sources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(command);
        key.Add("run.args", command.Args)
            .Add("run.script", command.Script?.Content)
            .Add("run.network", run.Network.ToString())
            .Add("run.security", run.Security.ToString());
        if (run.MountSpecs.Count > run.Mounts.Count)
        {
            return false;
        }

        foreach (var mount in run.Mounts)
        {
            // Only names: a secret's or an SSH agent's value never reaches a key (nor a cache repository's tags).
            key.Add("run.mount.type", RunMount.TypeName(mount.Type))
                .Add("run.mount.target", mount.Target)
                .Add("run.mount.from", mount.From)
                .Add("run.mount.source", mount.Source)
                .Add("run.mount.readOnly", mount.ReadOnly ? "yes" : "no")
                .Add("run.mount.id", mount.Id)
                .Add("run.mount.env", mount.Env)
                .Add("run.mount.sharing", mount.Sharing?.ToString())
                .Add("run.mount.required", mount.Required ? "yes" : "no")
                .Add("run.mount.size", mount.SizeLimit?.ToString(CultureInfo.InvariantCulture))
                .Add("run.mount.owner", string.Create(CultureInfo.InvariantCulture, $"{mount.Mode}:{mount.Uid}:{mount.Gid}"));
            if (mount.Type == RunMountType.Bind)
            {
                if (sources is null)
                {
                    return false;
                }

                var source = await sources.OpenAsync(mount.From, cancellationToken).ConfigureAwait(false);
                await AddTreeAsync(key, source, mount.Source ?? "/", cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    // The mounted tree as the step sees it: a missing source is keyed as missing (the step then fails anyway).
    private static async Task AddTreeAsync(CacheKeyBuilder key, MountSource source, string sourcePath, CancellationToken cancellationToken)
    {
        var root = source.Tree.Resolve(RootPath.Clean(sourcePath).TrimStart('/'), followFinalLink: true, out _);
        key.Add("bind.root", root);
        if (root is null)
        {
            return;
        }

        var entries = new List<ContextEntry>();
        var pending = new Stack<string>([root]);
        if (source.Tree.Get(root) is { Kind: not ContextEntryKind.Directory } single)
        {
            entries.Add(single);
            pending.Clear();
        }

        while (pending.Count > 0)
        {
            foreach (var child in source.Tree.Children(pending.Pop()))
            {
                entries.Add(child);
                if (child.Kind == ContextEntryKind.Directory)
                {
                    pending.Push(child.Path);
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        key.Add("bind.entries", entries.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var entry in entries)
        {
            var owner = source.OwnerOf(entry.Path);
            key.Add("bind.entry", string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Kind} {Convert.ToString((int)entry.Mode, 8)} {owner.Uid}:{owner.Gid} {entry.Path}"))
                .Add("bind.link", entry.LinkTarget);
            if (entry.Kind == ContextEntryKind.File)
            {
                var stream = source.Files.OpenRead(entry.Path);
                await using (stream.ConfigureAwait(false))
                {
                    key.Add("bind.content", (await Oci.Digest.ComputeAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false)).ToString());
                }
            }
        }
    }

    /// <summary>
    /// What of <paramref name="changes"/> later steps need: each directory made where nothing was (<c>n MODE UID GID
    /// PATH</c>: a fresh directory, see <see cref="StageFilesystem"/>) or changed (<c>d MODE UID GID PATH</c>), and each
    /// path deleted or turned into something else (<c>x PATH</c>). New files are left out: the stage knew nothing at
    /// their paths, so recording them would change nothing.
    /// </summary>
    public static IReadOnlyList<string> EncodeChanges(IReadOnlyList<FileChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var lines = new List<string>();
        foreach (var change in changes)
        {
            if (change.Metadata is { Kind: FileEntryKind.Directory } directory && change.Kind != FileChangeKind.Deleted)
            {
                var kind = change.Kind == FileChangeKind.Added ? 'n' : 'd';
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{kind} {Convert.ToString((int)directory.Mode, 8)} {directory.Uid} {directory.Gid} {change.Path}"));
            }
            else if (change.Kind == FileChangeKind.Deleted || (change.Kind == FileChangeKind.Modified && change.Metadata is not null))
            {
                lines.Add("x " + change.Path);
            }
        }

        return lines;
    }

    /// <summary>The changes <see cref="EncodeChanges"/> wrote, for <see cref="StageFilesystem.Record"/>.</summary>
    /// <exception cref="FormatException">A line is not in that form.</exception>
    public static IReadOnlyList<FileChange> DecodeChanges(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var changes = new List<FileChange>(lines.Count);
        foreach (var line in lines)
        {
            if (line.StartsWith("x ", StringComparison.Ordinal))
            {
                changes.Add(new FileChange(line[2..], FileChangeKind.Deleted, null));
                continue;
            }

            var parts = line.Split(' ', 5);
            if (parts.Length != 5 || parts[0] is not ("d" or "n"))
            {
                throw new FormatException("not a cached RUN change: " + line);
            }

            var metadata = new FileEntryMetadata(
                FileEntryKind.Directory, (UnixFileMode)Convert.ToInt32(parts[1], 8),
                int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture),
                0, 0, 0, 0, 0, 0, 1, null);
            // An entry written before fresh directories were recorded says d for every directory: none is fresh then.
            changes.Add(new FileChange(parts[4], parts[0] == "n" ? FileChangeKind.Added : FileChangeKind.Modified, metadata));
        }

        return changes;
    }
}
