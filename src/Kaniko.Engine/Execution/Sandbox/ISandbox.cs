namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// Runs one <c>RUN</c> step isolated in a root filesystem. A .NET process is multi-threaded and cannot enter new
/// namespaces itself, so implementations start helper programs (<c>bwrap</c>, <c>unshare</c>, <c>setpriv</c>).
/// Whatever they mount or create for the step (mount points, device nodes, temporary files) is gone when the call
/// returns, also after a failure or a cancellation.
/// </summary>
internal interface ISandbox
{
    /// <summary>The isolation this sandbox gives.</summary>
    SandboxKind Kind { get; }

    /// <summary>
    /// Runs the step and returns its exit code (128 + the signal number when a signal ended it). Output is reported
    /// line by line as it comes, from two reader threads but never concurrently. Cancelling kills every process of
    /// the step, cleans up and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    Task<int> RunAsync(SandboxSpec spec, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken);
}
