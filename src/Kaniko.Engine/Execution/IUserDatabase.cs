namespace Kaniko.Engine.Execution;

/// <summary>
/// Looks up users and groups by name in a stage's filesystem (its <c>/etc/passwd</c> and <c>/etc/group</c>), for
/// <c>COPY --chown=name</c>. Implementations read the files only when a name must be looked up, so a build that
/// needs no name never fetches the base image's layers.
/// </summary>
internal interface IUserDatabase
{
    /// <summary>Finds the first user called <paramref name="name"/>, or returns <c>null</c>.</summary>
    PasswdEntry? FindUser(string name);

    /// <summary>Finds the first group called <paramref name="name"/>, or returns <c>null</c>.</summary>
    GroupEntry? FindGroup(string name);
}

/// <summary>One line of <c>/etc/passwd</c>: <c>name:password:uid:gid:gecos:home:shell</c>.</summary>
/// <param name="Name">The user name.</param>
/// <param name="Uid">The user id.</param>
/// <param name="Gid">The primary group id.</param>
/// <param name="Home">The home directory (empty when absent).</param>
/// <param name="Shell">The login shell (empty when absent).</param>
internal sealed record PasswdEntry(string Name, int Uid, int Gid, string Home, string Shell);

/// <summary>One line of <c>/etc/group</c>: <c>name:password:gid:member,member</c>.</summary>
/// <param name="Name">The group name.</param>
/// <param name="Gid">The group id.</param>
/// <param name="Members">The listed members, in order.</param>
internal sealed record GroupEntry(string Name, int Gid, IReadOnlyList<string> Members);
