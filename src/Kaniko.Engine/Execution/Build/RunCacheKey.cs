using System.Globalization;
using Kaniko.Engine.Caching;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution;

/// <summary>
/// The <c>RUN</c> part of a cache key, and what a cached <c>RUN</c> layer must carry for later steps: the
/// directories it made or changed and the paths it deleted (<see cref="StageFilesystem.Record"/> without the layer).
/// </summary>
public static class RunCacheKey
{
    /// <summary>
    /// Adds the command and its flags to <paramref name="key"/>; returns <c>false</c> when the step cannot be keyed
    /// from what is known here. A <c>--mount</c> is keyed by its kind, target and id, never by a secret's value; a
    /// bind mount's content is not known here, so a step with one is not cached.
    /// </summary>
    public static bool TryAdd(CacheKeyBuilder key, RunInstruction run, RunCommandSpec command)
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
            if (mount.Type == RunMountType.Bind)
            {
                return false;
            }

            // Only names: a secret's or an SSH agent's value never reaches a key (nor a cache repository's tags).
            key.Add("run.mount.type", RunMount.TypeName(mount.Type))
                .Add("run.mount.target", mount.Target)
                .Add("run.mount.id", mount.Id)
                .Add("run.mount.env", mount.Env)
                .Add("run.mount.sharing", mount.Sharing?.ToString())
                .Add("run.mount.required", mount.Required ? "yes" : "no")
                .Add("run.mount.size", mount.SizeLimit?.ToString(CultureInfo.InvariantCulture))
                .Add("run.mount.owner", string.Create(CultureInfo.InvariantCulture, $"{mount.Mode}:{mount.Uid}:{mount.Gid}"));
        }

        return true;
    }

    /// <summary>
    /// What of <paramref name="changes"/> later steps need: each directory made or changed (<c>d MODE UID GID PATH</c>)
    /// and each path deleted or turned into something else (<c>x PATH</c>). New files are left out: the stage knew
    /// nothing at their paths, so recording them would change nothing.
    /// </summary>
    public static IReadOnlyList<string> EncodeChanges(IReadOnlyList<FileChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var lines = new List<string>();
        foreach (var change in changes)
        {
            if (change.Metadata is { Kind: FileEntryKind.Directory } directory && change.Kind != FileChangeKind.Deleted)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"d {Convert.ToString((int)directory.Mode, 8)} {directory.Uid} {directory.Gid} {change.Path}"));
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
            if (parts.Length != 5 || parts[0] != "d")
            {
                throw new FormatException("not a cached RUN change: " + line);
            }

            var metadata = new FileEntryMetadata(
                FileEntryKind.Directory, (UnixFileMode)Convert.ToInt32(parts[1], 8),
                int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture),
                0, 0, 0, 0, 0, 0, 1, null);
            changes.Add(new FileChange(parts[4], FileChangeKind.Added, metadata));
        }

        return changes;
    }
}
