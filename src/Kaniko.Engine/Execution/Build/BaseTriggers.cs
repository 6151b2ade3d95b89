using System.Globalization;
using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Execution.Build;

/// <summary>
/// The <c>ONBUILD</c> triggers a base image carries, as BuildKit runs them: each trigger text is parsed as a
/// Dockerfile instruction and runs right after <c>FROM</c>, before the stage's own steps, at the <c>FROM</c> line.
/// <c>ONBUILD ONBUILD</c>, <c>ONBUILD FROM</c> and <c>ONBUILD MAINTAINER</c> are refused as in a Dockerfile. The
/// triggers are not inherited: <see cref="ImageConfigState"/> starts with an empty <c>OnBuild</c>.
/// </summary>
internal static class BaseTriggers
{
    /// <summary>The steps of <paramref name="triggers"/> (the base config's <c>OnBuild</c> texts) for <paramref name="stage"/>.</summary>
    public static IReadOnlyList<StepPlan> Parse(StagePlan stage, IReadOnlyList<string> triggers)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(triggers);
        var steps = new List<StepPlan>();
        foreach (var trigger in triggers)
        {
            var range = stage.From.Range;
            Instruction instruction;
            try
            {
                // Parsed as "ONBUILD <trigger>" so that the instruction layer's ONBUILD rules apply unchanged.
                var parsed = DockerfileParser.Parse(Encoding.UTF8.GetBytes("ONBUILD " + trigger + "\n"), range.File);
                var node = parsed.Nodes.Count == 1 ? parsed.Nodes[0] : throw new KanikoException(DiagnosticCodes.InvalidOnbuildTrigger, "not one instruction");
                instruction = ((OnbuildInstruction)InstructionParser.ParseInstruction(node, range.File)).Trigger with { Range = range };
            }
            catch (KanikoException e)
            {
                throw Failed(stage.From.BaseName, trigger, e, range);
            }

            steps.Add(new StepPlan(instruction, instruction, true, [], []));
        }

        return steps;
    }

    /// <summary>The error <paramref name="error"/> of the trigger <paramref name="step"/>, naming the base image and the trigger.</summary>
    public static KanikoException Failed(StagePlan stage, StepPlan step, KanikoException error)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(error);
        return Failed(stage.From.BaseName, step.Instruction.Format(), error, stage.From.Range);
    }

    private static KanikoException Failed(string baseName, string trigger, KanikoException error, SourceRange range) =>
        new(error.Code, string.Format(CultureInfo.InvariantCulture, Strings.BaseOnBuildTriggerFailed, baseName, trigger, error.Detail), range, error);
}
