using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine.Execution.Mounts;

/// <summary>
/// An SSH agent the build may forward to <c>RUN --mount=type=ssh</c> steps (<c>--ssh</c>): an id and the agent's
/// socket. Docker also accepts private key files here; this tool spawns no agent of its own, so only agent sockets
/// are supported (start <c>ssh-agent</c> and <c>ssh-add</c> the key).
/// </summary>
/// <param name="Id">The id steps name with <c>RUN --mount=type=ssh,id=ID</c> (<c>default</c> when they name none).</param>
/// <param name="SocketPath">The agent's Unix socket on this machine.</param>
internal sealed record SshSource(string Id, string SocketPath)
{
    /// <summary>The id of a mount that names none, and of <c>--ssh default</c>.</summary>
    public const string DefaultId = "default";

    /// <summary>
    /// Parses a <c>--ssh</c> value as buildx does: <c>ID</c> (the agent at <c>$SSH_AUTH_SOCK</c>) or
    /// <c>ID=PATH</c>. The path must be a Unix socket.
    /// </summary>
    /// <param name="spec">The option's value.</param>
    /// <param name="environment">Looks up this process's environment variables (<c>SSH_AUTH_SOCK</c>).</param>
    /// <exception cref="KanikoException"><c>KANIKO4603</c> for a malformed value, a missing socket or key files, or another system than Linux.</exception>
    public static SshSource Parse(string spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        var id = equals < 0 ? spec : spec[..equals];
        var paths = equals < 0 ? [] : spec[(equals + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (id.Length == 0)
        {
            throw Invalid(spec, "the id is empty");
        }

        if (paths.Length == 0)
        {
            var agent = environment("SSH_AUTH_SOCK");
            paths = string.IsNullOrEmpty(agent)
                ? throw Invalid(spec, "invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set")
                : [agent];
        }

        if (paths.Length > 1)
        {
            throw Invalid(spec, "several paths name key files, which are not supported: only one SSH agent socket per id (ssh-add the keys to an agent)");
        }

        if (!OperatingSystem.IsLinux())
        {
            // Only RUN steps use the agent, and they need Linux (an agent on Windows is a named pipe, not a socket).
            throw Invalid(spec, "an SSH agent serves RUN steps, which need Linux (this system is "
                + System.Runtime.InteropServices.RuntimeInformation.OSDescription + ")");
        }

        var path = Path.GetFullPath(paths[0]);
        if (!LibC.TryLstat(path, out _))
        {
            throw Invalid(spec, $"{path} does not exist");
        }

        string real;
        try
        {
            real = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            real = path + "/";
        }

        if (!LibC.TryLstat(real, out var stat))
        {
            throw Invalid(spec, $"{path} is a link to nothing");
        }

        if ((stat.Mode & LibC.FileTypeMask) != LibC.Socket)
        {
            throw Invalid(spec, $"{path} is not a socket: key files are not supported, only SSH agent sockets (ssh-add the key to an agent)");
        }

        return new SshSource(id, path);
    }

    private static KanikoException Invalid(string spec, string reason) =>
        new(DiagnosticCodes.SshSpecInvalid, string.Format(CultureInfo.InvariantCulture, Strings.SshSpecInvalid, spec, reason));
}
