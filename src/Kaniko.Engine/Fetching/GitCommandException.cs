using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Fetching;

/// <summary>
/// A git command run by <see cref="GitSourceFetcher"/> failed (<c>KANIKO4221</c>). The remote and git's message are
/// kept with their credentials redacted (<see cref="UrlRedaction"/>), so the exception is safe to print.
/// </summary>
internal sealed class GitCommandException : KanikoException
{
    /// <summary>Creates the error for the git <paramref name="command"/> run against <paramref name="remote"/>.</summary>
    /// <param name="command">The git sub-command, for example <c>fetch</c>.</param>
    /// <param name="remote">The remote URL; credentials in it are redacted here.</param>
    /// <param name="gitMessage">What git printed on standard error (or why the step failed); redacted here.</param>
    public GitCommandException(string command, string remote, string gitMessage)
        : base(DiagnosticCodes.GitCommandFailed, string.Format(
            CultureInfo.InvariantCulture, Strings.GitCommandFailed, command, UrlRedaction.Redact(remote), UrlRedaction.Redact(gitMessage)))
    {
        Command = command;
        GitMessage = UrlRedaction.Redact(gitMessage);
    }

    /// <summary>The git sub-command that failed.</summary>
    public string Command { get; }

    /// <summary>Git's message, credentials redacted.</summary>
    public string GitMessage { get; }
}
