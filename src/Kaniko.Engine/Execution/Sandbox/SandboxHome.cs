namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Gives a <c>RUN</c> process the <c>HOME</c> that BuildKit's runc gives it when the step's environment has none:
/// the home directory of the first <c>/etc/passwd</c> entry with the process's uid, or <c>/</c> when no entry has it.
/// runc looks the uid up after the user is resolved, so <c>USER name</c>, <c>USER uid</c> and <c>USER uid:gid</c> all
/// find the same entry. A <c>HOME</c> the step sets itself (<c>ENV</c>, a build argument) wins, unless it is empty:
/// runc treats an empty one as unset.
/// </summary>
internal static class SandboxHome
{
    /// <summary>The value when the uid has no passwd entry.</summary>
    public const string Fallback = "/";

    private const string Prefix = "HOME=";

    /// <summary>
    /// The environment of the process: <paramref name="environment"/> as it is when its last <c>HOME</c> is not
    /// empty, otherwise without its <c>HOME</c> entries and with <c>HOME</c> from <paramref name="readPasswd"/>
    /// appended. The passwd file is read only in that case.
    /// </summary>
    /// <param name="environment"><c>NAME=value</c> entries of the step.</param>
    /// <param name="uid">The uid the process runs with.</param>
    /// <param name="readPasswd">Returns the bytes of the rootfs's <c>/etc/passwd</c>, or <c>null</c> when it has none.</param>
    public static IReadOnlyList<string> Complete(IReadOnlyList<string> environment, uint uid, Func<byte[]?> readPasswd)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(readPasswd);
        var last = environment.LastOrDefault(e => e.StartsWith(Prefix, StringComparison.Ordinal));
        if (last is not null && last.Length > Prefix.Length)
        {
            return environment;
        }

        return [.. environment.Where(e => !e.StartsWith(Prefix, StringComparison.Ordinal)), Prefix + Find(uid, readPasswd)];
    }

    /// <summary>The home directory of <paramref name="uid"/> in the passwd file, or <see cref="Fallback"/>.</summary>
    /// <param name="uid">The uid to look up.</param>
    /// <param name="readPasswd">Returns the bytes of <c>/etc/passwd</c>, or <c>null</c> when there is none.</param>
    public static string Find(uint uid, Func<byte[]?> readPasswd)
    {
        ArgumentNullException.ThrowIfNull(readPasswd);
        var bytes = readPasswd();
        var entry = bytes is null ? null : UserFileParser.ParsePasswd(bytes).FirstOrDefault(u => u.Uid >= 0 && (uint)u.Uid == uid);
        return entry?.Home ?? Fallback;
    }
}
