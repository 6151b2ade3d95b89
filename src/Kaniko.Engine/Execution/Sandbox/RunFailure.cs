using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Syntax;

namespace Kaniko.Engine.Execution;

/// <summary>Turns a non-zero exit of a <c>RUN</c> step into the error BuildKit reports.</summary>
public static class RunFailure
{
    /// <summary>
    /// The error for <paramref name="args"/> ending with <paramref name="exitCode"/>, in BuildKit's words:
    /// <c>process "/bin/sh -c false" did not complete successfully: exit code: 1</c> (the arguments joined with spaces
    /// and quoted as Go's <c>%q</c> does).
    /// </summary>
    public static KanikoException Create(IReadOnlyList<string> args, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(args);
        return new KanikoException(DiagnosticCodes.RunCommandFailed, string.Format(
            CultureInfo.InvariantCulture, Strings.RunCommandFailed, GoQuote.Quote(string.Join(' ', args)), exitCode));
    }

    /// <summary>Runs the step and throws <see cref="Create"/>'s error when it exits non-zero.</summary>
    public static async Task RunCheckedAsync(
        this ISandbox sandbox, SandboxSpec spec, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(spec);
        var exitCode = await sandbox.RunAsync(spec, output, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw Create(spec.Args, exitCode);
        }
    }
}
