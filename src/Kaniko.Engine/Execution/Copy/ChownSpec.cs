using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Copy;

/// <summary>
/// The value of <c>--chown</c>: <c>uid</c>, <c>uid:gid</c>, <c>user</c>, <c>user:group</c> or <c>user:</c>, read as
/// BuildKit's <c>llb.WithUser</c> reads it: split at the first <c>:</c>, each part a decimal id, the word
/// <c>root</c> (id 0), or a name to look up in the stage's files.
/// </summary>
internal sealed class ChownSpec
{
    private ChownSpec(string text, string user, int? uid, string? group, int? gid)
    {
        Text = text;
        User = user;
        Uid = uid;
        Group = group;
        Gid = gid;
    }

    /// <summary>The value as written.</summary>
    public string Text { get; }

    /// <summary>The user part as written.</summary>
    public string User { get; }

    /// <summary>The user id when the user part is numeric (or <c>root</c>); otherwise a name is looked up.</summary>
    public int? Uid { get; }

    /// <summary>The group part as written, or <c>null</c> when there is no <c>:</c>.</summary>
    public string? Group { get; }

    /// <summary>The group id when the group part is numeric (or <c>root</c>).</summary>
    public int? Gid { get; }

    /// <summary>Whether resolving this value needs the stage's user database (a part is a name).</summary>
    public bool NeedsLookup => Uid is null || (Group is not null && Gid is null);

    /// <summary>Reads a <c>--chown</c> value. Every string is accepted: names are checked when resolved.</summary>
    public static ChownSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? text : text[..colon];
        var group = colon < 0 ? null : text[(colon + 1)..];
        return new ChownSpec(text, user, ParseId(user), group, group is null ? null : ParseId(group));
    }

    /// <summary>
    /// Resolves the owner of <c>COPY --chown</c> and <c>ADD --chown</c>: a numeric user gives the same number as group;
    /// a named user gives its uid and primary gid; a group part then replaces the gid. A name the stage's
    /// <c>/etc/passwd</c> or <c>/etc/group</c> does not hold fails the step (<c>KANIKO4130</c>, <c>KANIKO4131</c>), as
    /// Docker's builder, buildah and kaniko fail, rather than silently writing root's files (BuildKit's file operation
    /// falls back to 0 there: a security surprise, see issue 15). Numeric ids need no file.
    /// </summary>
    public CopyOwner Resolve(IUserDatabase users, SourceRange? range)
    {
        var (owner, unknownUser, unknownGroup) = Lookup(users);
        if (unknownUser)
        {
            throw new KanikoException(DiagnosticCodes.ChownUserUnknown,
                string.Format(CultureInfo.InvariantCulture, Strings.ChownUserUnknown, User), range);
        }

        if (unknownGroup)
        {
            throw new KanikoException(DiagnosticCodes.ChownGroupUnknown,
                string.Format(CultureInfo.InvariantCulture, Strings.ChownGroupUnknown, Group), range);
        }

        return owner;
    }

    /// <summary>
    /// Resolves the owner of the folders <c>WORKDIR</c> makes for the stage's <c>USER</c>, as BuildKit's mkdir does:
    /// a user name the stage does not know gives 0, an unknown group name keeps the gid; each with a warning.
    /// </summary>
    public CopyOwner ResolveOrRoot(IUserDatabase users, ICollection<BuildWarning> warnings, SourceRange? range)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var (owner, unknownUser, unknownGroup) = Lookup(users);
        if (unknownUser)
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.ChownUserNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ChownUserNotFound, User), range));
        }

        if (unknownGroup)
        {
            warnings.Add(new BuildWarning(DiagnosticCodes.ChownGroupNotFound,
                string.Format(CultureInfo.InvariantCulture, Strings.ChownGroupNotFound, Group), range));
        }

        return owner;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    // The owner, with 0 for an unknown user and the user's gid for an unknown group, and which names were unknown.
    private (CopyOwner Owner, bool UnknownUser, bool UnknownGroup) Lookup(IUserDatabase users)
    {
        ArgumentNullException.ThrowIfNull(users);
        int uid = 0, gid = 0;
        var unknownUser = false;
        var unknownGroup = false;
        if (Uid is { } id)
        {
            uid = gid = id;
        }
        else if (users.FindUser(User) is { } entry)
        {
            (uid, gid) = (entry.Uid, entry.Gid);
        }
        else
        {
            unknownUser = true;
        }

        if (Gid is { } groupId)
        {
            gid = groupId;
        }
        else if (!string.IsNullOrEmpty(Group))
        {
            if (users.FindGroup(Group) is { } entry)
            {
                gid = entry.Gid;
            }
            else
            {
                unknownGroup = true;
            }
        }

        return (new CopyOwner(uid, gid), unknownUser, unknownGroup);
    }

    // Go's strconv.ParseInt(s, 10, 32): optional sign, decimal digits, 32-bit range; "root" is always 0.
    private static int? ParseId(string part)
    {
        if (part == "root")
        {
            return 0;
        }

        if (part.Length == 0 || part.Any(c => !(char.IsAsciiDigit(c) || c is '+' or '-')))
        {
            return null;
        }

        return int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
