using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Planning;

/// <summary>
/// What to build: the stages the target needs, in build order, each with its steps already expanded, and the
/// warnings found while planning. Nothing has been fetched or run.
/// </summary>
/// <param name="FileName">The Dockerfile's name, for messages.</param>
/// <param name="Stages">The stages to build, in build order (Dockerfile order); the last one is the target.</param>
/// <param name="SkippedStages">The stages the target does not need, which are not built.</param>
/// <param name="GlobalArgs">The global scope: automatic platform arguments and the global <c>ARG</c>s with their values.</param>
/// <param name="ProxyArgs">The proxy build arguments given, passed to <c>RUN</c> steps but kept out of the history.</param>
/// <param name="TargetPlatform">The platform being built for.</param>
/// <param name="BuildPlatform">The platform the build runs on.</param>
/// <param name="Warnings">Warnings from parsing and planning, in the order found.</param>
internal sealed record BuildPlan(
    string FileName,
    IReadOnlyList<StagePlan> Stages,
    IReadOnlyList<StagePlan> SkippedStages,
    IReadOnlyList<KeyValuePair<string, string>> GlobalArgs,
    IReadOnlyList<KeyValuePair<string, string>> ProxyArgs,
    Platform TargetPlatform,
    Platform BuildPlatform,
    IReadOnlyList<BuildWarning> Warnings)
{
    /// <summary>The stage whose result is the image.</summary>
    public StagePlan Target => Stages[^1];

    /// <summary>
    /// Whether the image holds <paramref name="stage"/>'s layers: the target and the stages it starts from, one
    /// <c>FROM</c> after another. The other stages are only read while the build runs (<c>COPY --from</c>,
    /// <c>RUN --mount from</c>), so no output needs their layers compressed.
    /// </summary>
    public bool IsExported(StagePlan stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        for (StagePlan? current = Target; current is not null; current = current.BaseStage is { } index ? Stages.FirstOrDefault(s => s.Index == index) : null)
        {
            if (current.Index == stage.Index)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The Dockerfile's escape character, for expanding the steps again once the base images are known.</summary>
    public char EscapeToken { get; init; } = '\\';

    /// <summary>
    /// The build-argument values given, longest first, which errors of steps that read them must not show
    /// (<see cref="BuildArgumentSecrecy.MaskValues"/>).
    /// </summary>
    public IReadOnlyList<string> SensitiveValues { get; init; } = [];
}

/// <summary>One stage of a plan.</summary>
/// <param name="Stage">The stage as read from the Dockerfile.</param>
/// <param name="DisplayName">The stage's name, or <c>stage-N</c> (N its index) when it has none, as BuildKit shows it.</param>
/// <param name="From">The <c>FROM</c> with its image and platform expanded with the global arguments.</param>
/// <param name="BaseStage">The index of the earlier stage this one starts from, or <c>null</c> when it starts from an image.</param>
/// <param name="Platform">The stage's <c>--platform</c>, parsed, or <c>null</c> for the target platform.</param>
/// <param name="Dependencies">The indices of the stages this one reads from (base, <c>COPY --from</c>, <c>RUN --mount from</c>).</param>
/// <param name="Steps">The steps (ONBUILD triggers of a base stage first, then the stage's instructions), expanded.</param>
internal sealed record StagePlan(
    Stage Stage,
    string DisplayName,
    FromInstruction From,
    int? BaseStage,
    Platform? Platform,
    IReadOnlyList<int> Dependencies,
    IReadOnlyList<StepPlan> Steps)
{
    /// <summary>The stage's index in the Dockerfile, from 0.</summary>
    public int Index => Stage.Index;

    /// <summary>Whether the stage starts from <c>scratch</c> (an empty filesystem).</summary>
    public bool IsScratch => BaseStage is null && From.BaseName == "scratch";
}

/// <summary>Where a <c>COPY --from</c> or a <c>RUN --mount from</c> reads: an earlier stage or an image.</summary>
/// <param name="Reference">The value as written.</param>
/// <param name="StageIndex">The stage's index, or <c>null</c> when <see cref="Reference"/> names an image.</param>
internal sealed record StepSource(string Reference, int? StageIndex);

/// <summary>One step of a stage.</summary>
/// <param name="Instruction">The instruction as written (unexpanded).</param>
/// <param name="Expanded">The instruction with the values Docker expands replaced by their values in scope.</param>
/// <param name="IsOnbuildTrigger">Whether the step is an ONBUILD trigger inherited from the base stage.</param>
/// <param name="BuildArgs">
/// The <c>ARG</c> values in scope at this step (the environment a <c>RUN</c> gets besides <c>ENV</c>), in declaration
/// order, proxy arguments left out.
/// </param>
/// <param name="Sources">The stages or images the step reads from.</param>
internal sealed record StepPlan(
    Instruction Instruction,
    Instruction Expanded,
    bool IsOnbuildTrigger,
    IReadOnlyList<KeyValuePair<string, string>> BuildArgs,
    IReadOnlyList<StepSource> Sources)
{
    /// <summary>The expanded step as one line: what the step does (cache keys use it).</summary>
    public string Text => Expanded.Format();

    /// <summary>
    /// The line to print when the step reads a variable whose value came from a build argument: the instruction as
    /// written (an <c>ARG</c>: those names without their values), so the value stays out of logs; <c>null</c> otherwise.
    /// </summary>
    public string? RedactedText { get; init; }

    /// <summary>The step as one line for logs and dry runs: <see cref="RedactedText"/> if set, else <see cref="Text"/>.</summary>
    public string DisplayText => RedactedText ?? Text;
}
