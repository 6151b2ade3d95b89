using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>The ids a <c>RUN</c> process runs with.</summary>
/// <param name="Uid">The user id.</param>
/// <param name="Gid">The primary group id.</param>
/// <param name="Groups">The supplementary groups, the primary group first (as containerd and BuildKit set them).</param>
internal sealed record SandboxIdentity(uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    /// <summary>Root with no other group.</summary>
    public static SandboxIdentity Root { get; } = new(0, 0, [0]);

    /// <summary>The groups as a comma-separated list of ids, for <c>setpriv --groups</c>.</summary>
    public string GroupList => string.Join(',', Groups.Select(g => g.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>
/// Resolves a <c>RUN</c> user (<c>USER</c> value) in a rootfs as BuildKit does (<c>executor/oci.GetUser</c> over
/// <c>moby/sys/user.GetExecUser</c>): <c>uid:gid</c> with both numeric is taken as is, with no supplementary groups;
/// otherwise the user is looked up by name (or by uid when numeric) in <c>/etc/passwd</c>, its primary group comes
/// from there unless a group is given, and its supplementary groups are the <c>/etc/group</c> entries that list its
/// name, only when no group is given. The primary group is always part of the group list.
/// </summary>
internal static class SandboxUserResolver
{
    private const long MaxId = int.MaxValue;
    private const int MaxUserFileBytes = 10 << 20;

    /// <summary>Resolves <paramref name="user"/> against the files of <paramref name="rootFs"/>.</summary>
    public static SandboxIdentity Resolve(string rootFs, string user) =>
        Resolve(user, () => ReadUserFile(rootFs, "/etc/passwd"), () => ReadUserFile(rootFs, "/etc/group"));

    /// <summary>Resolves <paramref name="user"/> with the two files given by readers (<c>null</c>: the file is absent).</summary>
    public static SandboxIdentity Resolve(string user, Func<byte[]?> readPasswd, Func<byte[]?> readGroup)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(readPasswd);
        ArgumentNullException.ThrowIfNull(readGroup);
        var isDefault = user.Length == 0;
        if (isDefault)
        {
            user = "0";
        }

        if (TryParseUidGid(user, out var fastUid, out var fastGid))
        {
            return WithPrimaryGroup(fastUid, fastGid, []);
        }

        try
        {
            return Lookup(user, readPasswd(), readGroup());
        }
        catch (KanikoException) when (isDefault)
        {
            return SandboxIdentity.Root;
        }
    }

    private static SandboxIdentity Lookup(string spec, byte[]? passwdBytes, byte[]? groupBytes)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? string.Empty : spec[(colon + 1)..];
        var userId = ParseNumeric(userPart, spec);
        var groupId = ParseNumeric(groupPart, spec);

        var users = passwdBytes is null ? [] : UserFileParser.ParsePasswd(passwdBytes);
        var groups = groupBytes is null ? [] : UserFileParser.ParseGroup(groupBytes).Where(g => !g.Name.StartsWith('#')).ToArray();

        uint uid = 0, gid = 0;
        string? matchedName = null;
        if (userPart.Length > 0)
        {
            var match = users.FirstOrDefault(u => userId is { } id ? u.Uid == id : u.Name == userPart);
            if (match is not null)
            {
                matchedName = match.Name;
                uid = (uint)match.Uid;
                gid = (uint)match.Gid;
            }
            else if (userId is { } id)
            {
                uid = (uint)id;
            }
            else
            {
                throw new KanikoException(DiagnosticCodes.RunUserNotFound, Format(Strings.RunUserNotFound, userPart));
            }
        }

        List<uint> supplementary = [];
        if (groupPart.Length > 0)
        {
            var match = groups.FirstOrDefault(g => groupId is { } id ? g.Gid == id : g.Name == groupPart);
            if (match is not null)
            {
                gid = (uint)match.Gid;
            }
            else if (groupId is { } id)
            {
                gid = (uint)id;
            }
            else
            {
                throw new KanikoException(DiagnosticCodes.RunGroupNotFound, Format(Strings.RunGroupNotFound, groupPart));
            }
        }
        else if (matchedName is not null)
        {
            supplementary.AddRange(groups.Where(g => g.Members.Contains(matchedName)).Select(g => (uint)g.Gid));
        }

        return WithPrimaryGroup(uid, gid, supplementary);
    }

    private static SandboxIdentity WithPrimaryGroup(uint uid, uint gid, IReadOnlyList<uint> supplementary) =>
        new(uid, gid, supplementary.Contains(gid) ? supplementary : [gid, .. supplementary]);

    // BuildKit's fast path: both parts present and numeric ("root" counts as 0).
    private static bool TryParseUidGid(string spec, out uint uid, out uint gid)
    {
        uid = gid = 0;
        var parts = spec.Split(':', 2);
        return parts.Length == 2 && TryParseId(parts[0], out uid) && TryParseId(parts[1], out gid);
    }

    private static bool TryParseId(string text, out uint id)
    {
        if (text == "root")
        {
            id = 0;
            return true;
        }

        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }

    // moby/sys/user's parseNumeric: a decimal (Go's Atoi accepts a sign) in 0..MaxInt32, or not numeric at all.
    private static long? ParseNumeric(string text, string spec)
    {
        if (text.Length == 0 || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return text.Length > 0 && IsSignedDigits(text)
                ? throw new KanikoException(DiagnosticCodes.RunUserNotFound, Format(Strings.RunUserIdOutOfRange, spec))
                : null;
        }

        return value is < 0 or > MaxId
            ? throw new KanikoException(DiagnosticCodes.RunUserNotFound, Format(Strings.RunUserIdOutOfRange, spec))
            : value;
    }

    private static bool IsSignedDigits(string text)
    {
        var digits = text[0] is '+' or '-' ? text.AsSpan(1) : text.AsSpan();
        return digits.Length > 0 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    internal static byte[]? ReadUserFile(string rootFs, string containerPath)
    {
        var path = RootPath.Resolve(rootFs, containerPath);
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null)
        {
            return null;
        }

        // BuildKit refuses larger files; reading at most one byte more than the cap is enough to notice.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[Math.Min(info.Length, MaxUserFileBytes)];
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
