using System.Globalization;
using System.Text;

namespace Kaniko.Engine.Planning;

/// <summary>
/// Writes a plan as plain text, one stage header per stage and one indented line per step, for dry runs and tests:
/// <code>
/// [stage 1/2 build] FROM busybox:latest AS build
///   COPY --chown=1000 app.txt /app/
/// </code>
/// Skipped stages and warnings follow. Steps that read a build argument's value are shown as written
/// (<see cref="StepPlan.DisplayText"/>). Hosts decide where the text goes.
/// </summary>
internal static class PlanTextWriter
{
    /// <summary>The plan as text, each line ending in <c>\n</c>.</summary>
    public static string Write(BuildPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        for (var i = 0; i < plan.Stages.Count; i++)
        {
            var stage = plan.Stages[i];
            text.Append(CultureInfo.InvariantCulture, $"[stage {i + 1}/{plan.Stages.Count} {stage.DisplayName}] {stage.From.Format()}\n");
            foreach (var step in stage.Steps)
            {
                text.Append("  ").Append(step.IsOnbuildTrigger ? "(onbuild) " : "").Append(step.DisplayText).Append('\n');
            }
        }

        foreach (var skipped in plan.SkippedStages)
        {
            text.Append(CultureInfo.InvariantCulture, $"skipped [{skipped.DisplayName}]: not needed for target {plan.Target.DisplayName}\n");
        }

        foreach (var warning in plan.Warnings)
        {
            text.Append(CultureInfo.InvariantCulture, $"warning: {warning} [{warning.Code}]\n");
        }

        return text.ToString();
    }
}
