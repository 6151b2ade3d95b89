namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>The host programs a sandbox starts, found once when it is created; <c>null</c> when not installed.</summary>
/// <param name="Setsid">util-linux <c>setsid</c>: every step runs in a process group of its own.</param>
/// <param name="Bwrap">bubblewrap's <c>bwrap</c>.</param>
/// <param name="Setpriv">util-linux <c>setpriv</c>: sets the groups (and the user without bwrap).</param>
/// <param name="Unshare">util-linux <c>unshare</c>: <c>--root</c>, <c>--wd</c> and <c>--setuid</c> enter the rootfs as the user.</param>
/// <param name="Env">coreutils <c>env</c>: changes the directory in the unisolated mode.</param>
internal sealed record HostToolPaths(string Setsid, string? Bwrap, string? Setpriv, string? Unshare, string? Env);
