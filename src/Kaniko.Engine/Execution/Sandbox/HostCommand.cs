namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>A program of the host to start for a step: its full path, its arguments and its whole environment.</summary>
/// <param name="FileName">The full path of the program.</param>
/// <param name="Arguments">The arguments after the program name.</param>
/// <param name="Environment"><c>NAME=value</c> entries; the program gets these and nothing else.</param>
internal sealed record HostCommand(string FileName, IReadOnlyList<string> Arguments, IReadOnlyList<string> Environment)
{
    /// <summary>The command as one line, for logs and tests.</summary>
    public override string ToString() => string.Join(' ', Arguments.Prepend(FileName));
}
