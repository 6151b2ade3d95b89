using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// The subordinate id ranges of the building user and how a host enters a user namespace that maps them: the user
/// becomes root, and the first range of <c>/etc/subuid</c> and <c>/etc/subgid</c> becomes ids 1 and up, through
/// <c>unshare --map-root-user --map-auto</c> (util-linux 2.38 or later), which calls the set-user-id
/// <c>newuidmap</c> and <c>newgidmap</c> of the <c>uidmap</c> package.
/// </summary>
/// <param name="UserName">The building user's name, or <c>null</c> when it has no passwd entry.</param>
/// <param name="Uid">The building user's id.</param>
/// <param name="Users">The user's first range of <c>/etc/subuid</c>, or <c>null</c>.</param>
/// <param name="Groups">The user's first range of <c>/etc/subgid</c>, or <c>null</c>.</param>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed record UserNamespaceMapping(string? UserName, uint Uid, SubordinateIdRange? Users, SubordinateIdRange? Groups)
{
    /// <summary>Where shadow-utils keeps the subordinate user ids.</summary>
    public const string SubuidFile = "/etc/subuid";

    /// <summary>Where shadow-utils keeps the subordinate group ids.</summary>
    public const string SubgidFile = "/etc/subgid";

    /// <summary>Whether the user has ranges in both files.</summary>
    public bool HasRanges => Users is not null && Groups is not null;

    /// <summary>
    /// How many ids the namespace holds: root (the user) and every id of the smaller range but its last, since
    /// <c>--map-auto</c> maps a range of COUNT ids to 1 .. COUNT-1 once root is mapped.
    /// </summary>
    public uint IdCount => HasRanges ? Math.Min(Users!.Count, Groups!.Count) : 1;

    /// <summary>The user as messages name it.</summary>
    public string UserDisplayName => UserName ?? Uid.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the ranges of this process's user from the system's files.</summary>
    public static UserNamespaceMapping ForCurrentUser() => Read(CurrentUserName(), LibC.EffectiveUserId, SubuidFile, SubgidFile);

    /// <summary>
    /// Reads the ranges of a user from the two files; a user with a range in one file and none in the other is an
    /// error (<c>KANIKO4462</c>), since the ids a step gives files would then exist for owners and not for groups.
    /// </summary>
    public static UserNamespaceMapping Read(string? userName, uint uid, string subuidPath, string subgidPath)
    {
        var users = SubordinateIds.FirstRangeInFile(subuidPath, userName, uid);
        var groups = SubordinateIds.FirstRangeInFile(subgidPath, userName, uid);
        if ((users is null) != (groups is null))
        {
            var (has, lacks) = users is null ? (subgidPath, subuidPath) : (subuidPath, subgidPath);
            throw new KanikoException(DiagnosticCodes.RootlessIdRangesInvalid, string.Format(
                CultureInfo.InvariantCulture, Strings.RootlessIdRangesOneSided, userName ?? uid.ToString(CultureInfo.InvariantCulture), has, lacks));
        }

        return new UserNamespaceMapping(userName, uid, users, groups);
    }

    /// <summary>
    /// The command prefix that runs a program inside the namespace: finds <c>unshare</c>, <c>newuidmap</c> and
    /// <c>newgidmap</c> (<c>KANIKO4461</c> when one is missing) and tries the mapping once with <c>true</c>
    /// (<c>KANIKO4463</c> with the tool's own message when the system refuses it).
    /// </summary>
    public IReadOnlyList<string> CommandPrefix()
    {
        if (!HasRanges)
        {
            throw new InvalidOperationException("the user has no subordinate id ranges");
        }

        foreach (var (tool, package) in new[] { ("unshare", "util-linux"), ("newuidmap", "uidmap"), ("newgidmap", "uidmap") })
        {
            if (HostTools.Find(tool) is null)
            {
                throw new KanikoException(DiagnosticCodes.RootlessIdMapToolMissing, string.Format(
                    CultureInfo.InvariantCulture, Strings.RootlessIdMapToolMissing, tool, package, UserDisplayName));
            }
        }

        string[] prefix = [HostTools.Find("unshare")!, "--map-root-user", "--map-auto", "--"];
        if (Probe(prefix) is { } failure)
        {
            throw new KanikoException(DiagnosticCodes.RootlessUserNamespaceFailed, string.Format(
                CultureInfo.InvariantCulture, Strings.RootlessUserNamespaceFailed, UserDisplayName, failure));
        }

        return prefix;
    }

    private static string? CurrentUserName()
    {
        var name = Environment.UserName;
        // The base library falls back to the numeric id when the user has no passwd entry.
        return name.Length == 0 || name.All(char.IsAsciiDigit) ? null : name;
    }

    private static string? Probe(string[] prefix)
    {
        var trueProgram = HostTools.Find("true");
        return trueProgram is null
            ? string.Format(CultureInfo.InvariantCulture, Strings.SandboxToolMissing, "true", "coreutils")
            : HostProbe.Run(prefix[0], [.. prefix.Skip(1), trueProgram]);
    }
}
