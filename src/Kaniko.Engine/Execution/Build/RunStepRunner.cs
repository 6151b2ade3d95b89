using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution;

/// <summary>
/// Runs one <c>RUN</c> step: brings the stage's root filesystem up to date, runs the command in the build's sandbox
/// with its output reported line by line, then snapshots what it changed and writes that as the step's layer (none
/// when nothing changed: BuildKit's image exporter drops an empty layer, and the history entry is then an
/// <c>empty_layer</c>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RunStepRunner(ExecutionOptions options, RunHost host, LayerWriter writer, IBuildEventSink events)
{
    /// <summary>
    /// Runs <paramref name="applied"/> in <paramref name="rootFs"/>; returns its layer (<c>null</c> when it changed
    /// nothing, and always with <c>--single-snapshot</c>) and what it changed.
    /// </summary>
    /// <param name="applied">The step, with its <see cref="AppliedStep.Run"/> command.</param>
    /// <param name="rootFs">The stage's root filesystem, made now when it is not yet.</param>
    /// <param name="layers">The stage's layers so far, base first.</param>
    /// <param name="cancellationToken">Kills the step's processes.</param>
    public async Task<(ILayer? Layer, IReadOnlyList<FileChange> Changes)> RunAsync(
        AppliedStep applied, StageRootFs rootFs, IReadOnlyList<ILayer> layers, CancellationToken cancellationToken)
    {
        var run = (RunInstruction)applied.Instruction;
        var spec = CreateSpec(run, applied.Run!, rootFs.HostDirectory);
        // Choosing the sandbox first: a machine that cannot run steps fails before any layer is downloaded. Except in
        // kaniko's own mode, whose helper programs (setsid, setpriv, env) are those of the base image unpacked over /.
        var sandbox = options.Isolation == SandboxKind.None ? null : host.Sandbox;
        await rootFs.SyncAsync(layers, index: true, cancellationToken).ConfigureAwait(false);
        sandbox ??= host.Sandbox;
        RunProgram.EnsureExists(spec, run);
        var exitCode = await sandbox.RunAsync(spec, new OutputEvents(events), cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new KanikoException(DiagnosticCodes.RunStepFailed, string.Format(
                CultureInfo.InvariantCulture, Strings.RunStepFailed, StepName(run), GoQuote.Quote(string.Join(' ', spec.Args)), exitCode), run.Range);
        }

        // A single snapshot still diffs each step: the stage must know the directories the step made for later copies.
        var diff = await Snapshotter.DiffAsync(rootFs.RootFs, rootFs.Index, options.SnapshotMode, cancellationToken).ConfigureAwait(false);
        var layer = diff.IsEmpty || options.SingleSnapshot ? null : await WriteAsync(diff, cancellationToken).ConfigureAwait(false);
        rootFs.Commit(diff.NewIndex, layers.Count + (layer is null ? 0 : 1));
        return (layer, diff.Changes);
    }

    /// <summary>Writes the changes of <paramref name="diff"/> as a layer, with the build's fixed file time when it has one.</summary>
    public async Task<ILayer> WriteAsync(FileSystemDiff diff, CancellationToken cancellationToken)
    {
        IEnumerable<LayerEntry> entries = diff.ToLayerEntries();
        if (options.FixedFileTime is { } time)
        {
            entries = entries.Select(e => e with { ModificationTime = time });
        }

        return await writer.WriteAsync(entries, options.WorkDirectory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sandbox specification of a step: its command, and what its flags ask for. The one place <c>RUN</c> flags
    /// become sandbox settings: <c>--network</c>, <c>--security</c>, and <c>--mount</c> (not supported by this version).
    /// </summary>
    internal static SandboxSpec CreateSpec(RunInstruction run, RunCommandSpec command, string rootFs)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Security == RunSecurity.Insecure)
        {
            throw StepError(DiagnosticCodes.RunSecurityInsecure, Strings.RunSecurityInsecure, run);
        }

        if (run.Mounts.Count > 0 || run.MountSpecs.Count > 0)
        {
            throw StepError(DiagnosticCodes.RunMountNotSupported, Strings.RunMountNotSupported, run);
        }

        return SandboxSpec.FromRun(command, rootFs) with
        {
            // host and default both mean the machine's network: no network of its own is set up for a step.
            Network = run.Network == RunNetwork.None ? SandboxNetwork.None : SandboxNetwork.Shared,
        };
    }

    /// <summary>The step as messages name it: the instruction's first line, trimmed.</summary>
    internal static string StepName(RunInstruction run)
    {
        var text = run.Original.Trim();
        var newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline].TrimEnd();
    }

    private static KanikoException StepError(DiagnosticCode code, string format, RunInstruction run) =>
        new(code, string.Format(CultureInfo.InvariantCulture, format, StepName(run)), run.Range);

    /// <summary>Reports each line as a <see cref="RunOutputEvent"/> on the thread that read it (the sandbox never reports two at once).</summary>
    private sealed class OutputEvents(IBuildEventSink events) : IProgress<SandboxOutputLine>
    {
        public void Report(SandboxOutputLine value) => events.Report(new RunOutputEvent(value.Stream, value.Text));
    }
}
