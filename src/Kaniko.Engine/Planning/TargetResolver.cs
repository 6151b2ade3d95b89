using System.Globalization;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;

namespace Kaniko.Engine.Planning;

/// <summary>Finds the stage to build (<c>--target</c>) and the stages it needs; the others are skipped.</summary>
internal static class TargetResolver
{
    /// <summary>
    /// The index of the target stage: the stage named <paramref name="target"/> (case-insensitive), or the last stage
    /// when <paramref name="target"/> is null or empty. An unknown name is an error that lists the stage names.
    /// </summary>
    public static int Resolve(IReadOnlyList<Stage> stages, string? target)
    {
        ArgumentNullException.ThrowIfNull(stages);
        if (string.IsNullOrEmpty(target))
        {
            return stages.Count - 1;
        }

        // A later stage with the same name wins, as BuildKit's name table keeps the last one.
        var match = stages.LastOrDefault(s => s.Name == target.ToLowerInvariant());
        if (match is not null)
        {
            return match.Index;
        }

        var names = stages.Where(s => s.Name is not null).Select(s => s.Name!).Distinct().ToArray();
        var detail = names.Length == 0
            ? string.Format(CultureInfo.InvariantCulture, Strings.TargetNotFoundNoNames, target)
            : string.Format(CultureInfo.InvariantCulture, Strings.TargetNotFound, target, string.Join(", ", names));
        throw new KanikoException(DiagnosticCodes.TargetNotFound, detail);
    }

    /// <summary>The stages the target needs (itself included), in build order.</summary>
    public static IReadOnlyList<int> Needed(StageGraph graph, int target)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.ReachableFrom(target).Order().ToArray();
    }
}
