using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// Runs one <c>RUN</c> step: brings the stage's root filesystem up to date, runs the command in the build's sandbox
/// with its output reported line by line, then snapshots what it changed and writes that as the step's layer (none
/// when nothing changed: BuildKit's image exporter drops an empty layer, and the history entry is then an
/// <c>empty_layer</c>).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RunStepRunner(ExecutionOptions options, RunHost host, StageLayerWriter writer, IBuildEventSink events)
{
    /// <summary>
    /// Runs <paramref name="applied"/> in <paramref name="rootFs"/>; returns its layer (<c>null</c> when it changed
    /// nothing, and always with <c>--single-snapshot</c>) and what it changed.
    /// </summary>
    /// <param name="applied">The step, with its <see cref="AppliedStep.Run"/> command.</param>
    /// <param name="rootFs">The stage's root filesystem, made now when it is not yet.</param>
    /// <param name="layers">The stage's layers so far, base first.</param>
    /// <param name="mountSources">What the step's <c>--mount</c>s read (the context, stages, images).</param>
    /// <param name="cancellationToken">Kills the step's processes.</param>
    public async Task<(ILayer? Layer, IReadOnlyList<FileChange> Changes)> RunAsync(
        AppliedStep applied, StageRootFs rootFs, IReadOnlyList<ILayer> layers, IMountSourceProvider mountSources, CancellationToken cancellationToken)
    {
        var run = (RunInstruction)applied.Instruction;
        var spec = CreateSpec(run, applied.Run!, rootFs.HostDirectory);
        // Choosing the sandbox first: a machine that cannot run steps fails before any layer is downloaded. Except in
        // kaniko's own mode, whose helper programs (setsid, setpriv, env) are those of the base image unpacked over /.
        var sandbox = options.Isolation == SandboxKind.None ? null : host.Sandbox;
        await rootFs.SyncAsync(layers, index: true, cancellationToken).ConfigureAwait(false);
        sandbox ??= host.Sandbox;
        int exitCode;
        // The mounts (and the secrets, copies and cache locks behind them) live exactly as long as the process.
        using (var mounts = await MountPreparer().PrepareAsync(run.Mounts, spec.WorkingDirectory, mountSources, run.Range, cancellationToken).ConfigureAwait(false))
        {
            spec = mounts.ApplyTo(spec);
            if (mounts.BindMounts.Count == 0)
            {
                // A bind mount may bring the program itself; the sandbox then reports a missing one.
                RunProgram.EnsureExists(spec, run);
            }

            var mounted = mounts.BindMounts.Count + mounts.TmpfsMounts.Count > 0;
            try
            {
                exitCode = await sandbox.RunAsync(spec, new OutputEvents(events), cancellationToken).ConfigureAwait(false);
            }
            catch when (mounted)
            {
                _ = MountLeftovers.Detach(rootFs.HostDirectory);
                throw;
            }

            // Before the mounts' sources go: a source deleted under a mount that stayed would still show its content.
            if (mounted && MountLeftovers.Detach(rootFs.HostDirectory) is { } left)
            {
                throw MountLeftovers.Error(StepName(run), left, run.Range);
            }
        }

        if (exitCode != 0)
        {
            throw new KanikoException(DiagnosticCodes.RunStepFailed, string.Format(
                CultureInfo.InvariantCulture, Strings.RunStepFailed, StepName(run), GoQuote.Quote(string.Join(' ', spec.Args)), exitCode), run.Range);
        }

        // A single snapshot still diffs each step: the stage must know the directories the step made for later copies.
        var diff = await rootFs.DiffAsync(options.SnapshotMode, cancellationToken).ConfigureAwait(false);
        var layer = diff.IsEmpty || options.SingleSnapshot ? null : await WriteAsync(diff, cancellationToken).ConfigureAwait(false);
        rootFs.Commit(diff.NewIndex, layers.Count + (layer is null ? 0 : 1));
        return (layer, diff.Changes);
    }

    private RunMountPreparer MountPreparer() => new(new RunMountOptions
    {
        Caches = new CacheMountStore(options.CacheDirectory),
        Secrets = options.Secrets,
        SshAgents = options.SshAgents,
        WorkDirectory = Path.Combine(options.WorkDirectory, "mounts"),
    });

    /// <summary>Writes the changes of <paramref name="diff"/> as a layer, with the build's fixed file time when it has one.</summary>
    public async Task<ILayer> WriteAsync(FileSystemDiff diff, CancellationToken cancellationToken)
    {
        IEnumerable<LayerEntry> entries = diff.ToLayerEntries();
        if (options.FixedFileTime is { } time)
        {
            entries = entries.Select(e => e with { ModificationTime = time });
        }

        return await writer.WriteAsync(entries, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sandbox specification of a step: its command, and what its flags ask for: <c>--network</c> and
    /// <c>--security</c>. Its <c>--mount</c>s are added by <see cref="RunMountPreparer"/> when the step runs.
    /// </summary>
    internal static SandboxSpec CreateSpec(RunInstruction run, RunCommandSpec command, string rootFs)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Security == RunSecurity.Insecure)
        {
            throw StepError(DiagnosticCodes.RunSecurityInsecure, Strings.RunSecurityInsecure, run);
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
