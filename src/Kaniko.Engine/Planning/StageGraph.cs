using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Expansion;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Planning;

/// <summary>Why one stage depends on another.</summary>
internal enum StageEdgeKind
{
    /// <summary><c>FROM stage</c>.</summary>
    Base,
    /// <summary><c>COPY --from=stage</c>.</summary>
    CopyFrom,
    /// <summary><c>RUN --mount=from=stage</c>.</summary>
    MountFrom,
}

/// <summary>One dependency: <paramref name="Stage"/> reads from <paramref name="DependsOn"/>.</summary>
/// <param name="Stage">The index of the stage that depends.</param>
/// <param name="DependsOn">The index of the stage it reads from.</param>
/// <param name="Kind">How it reads from it.</param>
/// <param name="Range">The instruction that creates the dependency.</param>
internal sealed record StageEdge(int Stage, int DependsOn, StageEdgeKind Kind, SourceRange Range);

/// <summary>
/// The stages and the edges between them, from <c>FROM stage</c>, <c>COPY --from</c> (a name or an index) and
/// <c>RUN --mount from=</c>. A <c>--from</c> that names no stage names an image, as in BuildKit.
/// Building the graph rejects a stage that reads from itself, an index out of range, a <c>--from</c> with a
/// variable, and cycles.
/// </summary>
internal sealed class StageGraph
{
    private readonly IReadOnlyList<Stage> _stages;
    private readonly Dictionary<string, int> _byName;

    private StageGraph(IReadOnlyList<Stage> stages, Dictionary<string, int> byName, IReadOnlyList<StageEdge> edges, IReadOnlyList<IReadOnlyList<IReadOnlyList<StepSource>>> sources)
    {
        _stages = stages;
        _byName = byName;
        Edges = edges;
        StepSources = sources;
    }

    /// <summary>Every edge, in stage order then instruction order.</summary>
    public IReadOnlyList<StageEdge> Edges { get; }

    /// <summary>For each stage and each of its steps (as given to <see cref="Build"/>), the sources the step reads.</summary>
    public IReadOnlyList<IReadOnlyList<IReadOnlyList<StepSource>>> StepSources { get; }

    /// <summary>Builds the graph and checks it.</summary>
    /// <param name="stages">The stages, in file order.</param>
    /// <param name="baseStages">For each stage, the index of the stage its <c>FROM</c> names, or <c>null</c>.</param>
    /// <param name="steps">For each stage, the instructions it will run (ONBUILD triggers included).</param>
    /// <param name="escapeToken">The Dockerfile's escape character, to detect variables in <c>--from</c>.</param>
    public static StageGraph Build(IReadOnlyList<Stage> stages, IReadOnlyList<int?> baseStages, IReadOnlyList<IReadOnlyList<Instruction>> steps, char escapeToken)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var stage in stages.Where(s => s.Name is not null))
        {
            byName[stage.Name!] = stage.Index;
        }

        var lexer = new ShellLexer(escapeToken);
        var edges = new List<StageEdge>();
        var allSources = new List<IReadOnlyList<IReadOnlyList<StepSource>>>();
        foreach (var stage in stages)
        {
            if (baseStages[stage.Index] is { } baseIndex)
            {
                edges.Add(new StageEdge(stage.Index, baseIndex, StageEdgeKind.Base, stage.From.Range));
            }

            var stageSources = new List<IReadOnlyList<StepSource>>();
            foreach (var instruction in steps[stage.Index])
            {
                var stepSources = new List<StepSource>();
                switch (instruction)
                {
                    case CopyInstruction { From: { } from } copy:
                        var source = ResolveCopyFrom(from, copy, stages, byName, lexer);
                        stepSources.Add(source);
                        if (source.StageIndex is { } copyIndex)
                        {
                            if (copyIndex == stage.Index)
                            {
                                throw Error(DiagnosticCodes.CopyFromOwnStage, instruction.Range, Strings.CopyFromOwnStage, instruction.Name, DisplayName(stage));
                            }

                            edges.Add(new StageEdge(stage.Index, copyIndex, StageEdgeKind.CopyFrom, instruction.Range));
                        }

                        break;
                    case RunInstruction run:
                        foreach (var mount in run.Mounts.Where(m => !string.IsNullOrEmpty(m.From)))
                        {
                            var mountSource = new StepSource(mount.From!, byName.TryGetValue(mount.From!.ToLowerInvariant(), out var i) ? i : null);
                            stepSources.Add(mountSource);
                            if (mountSource.StageIndex is { } mountIndex)
                            {
                                if (mountIndex == stage.Index)
                                {
                                    throw Error(DiagnosticCodes.CopyFromOwnStage, instruction.Range, Strings.MountFromOwnStage, DisplayName(stage));
                                }

                                edges.Add(new StageEdge(stage.Index, mountIndex, StageEdgeKind.MountFrom, instruction.Range));
                            }
                        }

                        break;
                }

                stageSources.Add(stepSources);
            }

            allSources.Add(stageSources);
        }

        var graph = new StageGraph(stages, byName, edges, allSources);
        graph.CheckForCycles();
        return graph;
    }

    /// <summary>The name BuildKit shows for a stage: its name, or <c>stage-N</c>.</summary>
    public static string DisplayName(Stage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        return stage.Name ?? "stage-" + stage.Index.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The index of the stage with this name (case-insensitive), if any.</summary>
    public int? FindByName(string name) => _byName.TryGetValue(name.ToLowerInvariant(), out var index) ? index : null;

    /// <summary>The stages <paramref name="stage"/> reads from directly, in ascending order.</summary>
    public IReadOnlyList<int> DependenciesOf(int stage) =>
        Edges.Where(e => e.Stage == stage).Select(e => e.DependsOn).Distinct().Order().ToArray();

    /// <summary>The stage and every stage it needs, directly or not.</summary>
    public IReadOnlySet<int> ReachableFrom(int stage)
    {
        var reached = new HashSet<int>();
        var pending = new Stack<int>([stage]);
        while (pending.TryPop(out var current))
        {
            if (reached.Add(current))
            {
                foreach (var next in DependenciesOf(current))
                {
                    pending.Push(next);
                }
            }
        }

        return reached;
    }

    private static StepSource ResolveCopyFrom(string from, Instruction instruction, IReadOnlyList<Stage> stages, Dictionary<string, int> byName, ShellLexer lexer)
    {
        // BuildKit does not expand --from; it refuses any value that expansion would change.
        if (lexer.ProcessWord(from, new VariableMap()).Value != from)
        {
            throw Error(DiagnosticCodes.FromFlagExpansion, instruction.Range, Strings.FromFlagExpansion);
        }

        if (int.TryParse(from, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
        {
            if (index < 0 || index >= stages.Count)
            {
                throw Error(DiagnosticCodes.InvalidStageIndex, instruction.Range, Strings.InvalidStageIndex, index);
            }

            return new StepSource(from, index);
        }

        return new StepSource(from, byName.TryGetValue(from.ToLowerInvariant(), out var named) ? named : null);
    }

    private void CheckForCycles()
    {
        var state = new int[_stages.Count]; // 0 unvisited, 1 on the current path, 2 done
        foreach (var stage in _stages)
        {
            Visit(stage.Index);
        }

        void Visit(int index)
        {
            if (state[index] == 2)
            {
                return;
            }

            if (state[index] == 1)
            {
                throw Error(DiagnosticCodes.CircularStageDependency, _stages[index].From.Range, Strings.CircularStageDependency, DisplayName(_stages[index]));
            }

            state[index] = 1;
            foreach (var next in DependenciesOf(index))
            {
                Visit(next);
            }

            state[index] = 2;
        }
    }

    private static KanikoException Error(DiagnosticCode code, SourceRange range, string format, params object?[] args) =>
        new(code, string.Format(CultureInfo.InvariantCulture, format, args), range);
}
