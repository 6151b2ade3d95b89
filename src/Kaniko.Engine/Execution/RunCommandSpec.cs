namespace Kaniko.Engine.Execution;

/// <summary>
/// Everything a <c>RUN</c> step needs to start its process, computed as BuildKit does but not executed: the
/// arguments (shell form already wrapped in the stage's <c>SHELL</c>), the environment, the user and the directory.
/// </summary>
/// <param name="Args">The process arguments, <c>Args[0]</c> the program.</param>
/// <param name="Environment">
/// <c>NAME=value</c> entries: the config's <c>Env</c> and the <c>ARG</c> values in scope (which are not stored in the
/// image), then the proxy arguments given, then <c>PATH</c> when nothing set it (Linux).
/// </param>
/// <param name="User">The user to run as (<c>user[:group]</c>, names or ids), or empty for root.</param>
/// <param name="WorkingDirectory">The absolute directory the process starts in.</param>
/// <param name="Script">
/// A heredoc script that starts with <c>#!</c>: BuildKit mounts it read-only at <see cref="RunScript.Path"/> and runs
/// that path; <c>null</c> otherwise.
/// </param>
internal sealed record RunCommandSpec(
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Environment,
    string User,
    string WorkingDirectory,
    RunScript? Script = null);

/// <summary>An executable heredoc given to <c>RUN</c>: mounted (mode 0755, read-only) at <paramref name="Path"/>.</summary>
/// <param name="Path">Where the process finds the script, <c>/dev/pipes/NAME</c>.</param>
/// <param name="Content">The script, leading tabs removed for <c>&lt;&lt;-</c>.</param>
internal sealed record RunScript(string Path, string Content);
