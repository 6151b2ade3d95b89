using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Execution;

/// <summary>What the filesystem side of a step has to produce: nothing, or one layer of a given kind.</summary>
internal enum StepLayerKind
{
    /// <summary>A metadata-only step: its history entry is an <c>empty_layer</c>.</summary>
    None,

    /// <summary><c>COPY</c>: the copied files.</summary>
    Copy,

    /// <summary><c>ADD</c>: the added files, archives and downloads.</summary>
    Add,

    /// <summary><c>RUN</c>: the changes the command makes (see <see cref="AppliedStep.Run"/>).</summary>
    Run,

    /// <summary>
    /// <c>WORKDIR</c> other than <c>/</c>: BuildKit creates the directory (with parents, mode 0755, owned by the
    /// current user) in a layer of its own, even when it already exists (see <see cref="AppliedStep.Workdir"/>).
    /// </summary>
    CreateWorkdir,
}

/// <summary>The directory a <c>WORKDIR</c> step must create, and as whom.</summary>
/// <param name="Path">The absolute directory, as it was stored in the config's <c>WorkingDir</c>.</param>
/// <param name="User">The config's <c>User</c> at that step (<c>user[:group]</c>), or empty for root.</param>
internal sealed record WorkdirCreation(string Path, string User);

/// <summary>One instruction applied to an <see cref="ImageConfigState"/>.</summary>
/// <param name="Instruction">The (expanded) instruction that was applied.</param>
/// <param name="History">
/// The history entry BuildKit records for it, or <c>null</c> for <c>ONBUILD</c>, which BuildKit does not record.
/// </param>
/// <param name="Layer">The layer the step needs, if any; <see cref="HistoryEntry.EmptyLayer"/> agrees with it.</param>
/// <param name="Workdir">For <see cref="StepLayerKind.CreateWorkdir"/>, the directory to create; otherwise <c>null</c>.</param>
/// <param name="Run">For <see cref="StepLayerKind.Run"/>, the command to execute; otherwise <c>null</c>.</param>
internal sealed record AppliedStep(
    Instruction Instruction,
    HistoryEntry? History,
    StepLayerKind Layer,
    WorkdirCreation? Workdir = null,
    RunCommandSpec? Run = null)
{
    /// <summary>Whether the step produces a layer (its history entry is not an empty layer).</summary>
    public bool NeedsLayer => Layer != StepLayerKind.None;
}
