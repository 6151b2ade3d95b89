using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Execution.Sandbox;

/// <summary>
/// What every mode that isolates a step in a rootfs of its own does around the step, in one place: it refuses the
/// machine's <c>/</c> before creating anything, prepares the step's <see cref="StepScratch"/> and the
/// <see cref="MountStubs"/> of its mount points, and disposes both however the step ends. The mode itself only turns
/// the prepared step into processes (<see cref="RunPreparedAsync"/>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal abstract class IsolatingSandbox : ISandbox
{
    /// <summary>Keeps the programs and the event sink every isolating mode starts with.</summary>
    protected IsolatingSandbox(HostToolPaths tools, IBuildEventSink events)
    {
        Tools = tools;
        Events = events;
    }

    /// <inheritdoc />
    public abstract SandboxKind Kind { get; }

    /// <summary>The host programs the mode starts (bwrap, unshare, setpriv, setsid).</summary>
    protected HostToolPaths Tools { get; }

    /// <summary>Where the mode reports what it cannot isolate here.</summary>
    protected IBuildEventSink Events { get; }

    /// <inheritdoc />
    public async Task<int> RunAsync(SandboxSpec spec, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken)
    {
        StepScratch.RefuseMachineRoot(spec);
        using var scratch = StepScratch.Prepare(spec);
        using var stubs = new MountStubs(scratch.RootFs);
        return await RunPreparedAsync(spec, scratch, stubs, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the step whose scratch and rootfs are ready; has the contract of <see cref="ISandbox.RunAsync"/>, except
    /// that <paramref name="scratch"/> and <paramref name="stubs"/> are disposed by the caller.
    /// </summary>
    protected abstract Task<int> RunPreparedAsync(
        SandboxSpec spec, StepScratch scratch, MountStubs stubs, IProgress<SandboxOutputLine>? output, CancellationToken cancellationToken);
}
