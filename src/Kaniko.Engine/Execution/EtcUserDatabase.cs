namespace Kaniko.Engine.Execution;

/// <summary>
/// An <see cref="IUserDatabase"/> over the bytes of <c>/etc/passwd</c> and <c>/etc/group</c>, each read at most once
/// and only when a lookup needs it. A file the stage does not have (the reader returns <c>null</c>) finds no name,
/// as in BuildKit.
/// </summary>
internal sealed class EtcUserDatabase : IUserDatabase
{
    private readonly Lazy<IReadOnlyList<PasswdEntry>> _users;
    private readonly Lazy<IReadOnlyList<GroupEntry>> _groups;

    /// <summary>Creates a database whose files come from the two readers.</summary>
    /// <param name="readPasswd">Returns the bytes of <c>/etc/passwd</c>, or <c>null</c> when the stage has none.</param>
    /// <param name="readGroup">Returns the bytes of <c>/etc/group</c>, or <c>null</c> when the stage has none.</param>
    public EtcUserDatabase(Func<byte[]?> readPasswd, Func<byte[]?> readGroup)
    {
        ArgumentNullException.ThrowIfNull(readPasswd);
        ArgumentNullException.ThrowIfNull(readGroup);
        _users = new(() => readPasswd() is { } bytes ? UserFileParser.ParsePasswd(bytes) : []);
        _groups = new(() => readGroup() is { } bytes ? UserFileParser.ParseGroup(bytes) : []);
    }

    /// <summary>A database with no users and no groups (a stage without the files, such as <c>scratch</c>).</summary>
    public static EtcUserDatabase Empty { get; } = new(() => null, () => null);

    /// <inheritdoc />
    public PasswdEntry? FindUser(string name) => _users.Value.FirstOrDefault(u => u.Name == name);

    /// <inheritdoc />
    public GroupEntry? FindGroup(string name) => _groups.Value.FirstOrDefault(g => g.Name == name);
}
