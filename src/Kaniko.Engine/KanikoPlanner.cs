using Kaniko.Engine.Context;
using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Dockerfile.Syntax;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine;

/// <summary>
/// Plans a build without running it (a dry run): opens the context and its ignore file, reads the Dockerfile as
/// bytes, parses it, reads the instructions and plans the stages. Nothing is fetched and nothing runs; hosts get the
/// plan as text (<see cref="Describe"/>), the engine's tests the plan itself.
/// </summary>
public static class KanikoPlanner
{
    /// <summary>Plans <paramref name="request"/>. Throws <see cref="KanikoException"/> for any problem, located when it is in a file.</summary>
    internal static BuildPlan Plan(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // Opening the context checks it and its ignore file, even though a plan copies nothing yet.
        using var context = OpenedContext.Open(request);
        var dockerfile = context.Dockerfile;
        return Plan(dockerfile.ReadAllBytes(), dockerfile.DisplayName, ToPlanRequest(request));
    }

    /// <summary>
    /// Plans <paramref name="request"/> (<c>--dry-run</c>) once per target platform, in the order given, and describes
    /// each plan as text: its stages, their steps and what they depend on. Throws <see cref="KanikoException"/> for
    /// any problem, located when it is in a file.
    /// </summary>
    public static IReadOnlyList<PlanDescription> Describe(BuildRequest request) =>
        [.. PlanPlatforms(request).Select(plan => new PlanDescription(plan.TargetPlatform, PlanTextWriter.Write(plan)))];

    /// <summary>
    /// Whether the build of <paramref name="request"/> may run a <c>RUN</c> step, the one kind of step that mounts (a
    /// stage's overlay root, a sandbox's binds). False only when the context is a local folder and no stage the build
    /// needs, on any target platform, has a <c>RUN</c>: a remote context is not fetched to find out, a Dockerfile
    /// with a line that starts with <c>RUN</c> answers true without being planned (even when that stage is skipped),
    /// and one that cannot be read or planned answers true (the build itself then says why). A <c>RUN</c> that an
    /// <c>ONBUILD</c> trigger of a base image adds is not known before the base is fetched: a host that relies on a
    /// false answer also runs such a step without mounts of its own (<see cref="StageRootKind.Unpack"/>).
    /// </summary>
    public static bool MayRunCommands(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ContextMaterializer.IsLocalDirectory(request.Context))
        {
            return true;
        }

        try
        {
            // A line that starts with RUN settles it without planning: a host asks before the build starts, so the
            // parser's and the planner's first run (tens of milliseconds of a short build) would be paid twice. The
            // answer may then be true for a RUN of a stage the build skips: that only costs the host its shortcut.
            var context = ContextMaterializer.SubDirectory(BuildContextFactory.ContextDirectory(request.Context), request.ContextSubPath, request.Context);
            return HasRunLine(File.ReadAllBytes(DockerfileLocator.Resolve(request.Dockerfile, context).FullPath))
                || PlanPlatforms(request).Any(plan => plan.Stages.Any(stage => stage.Steps.Any(step => step.Instruction is RunInstruction)));
        }
        catch (Exception e) when (e is KanikoException or IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    // Whether a line of the Dockerfile starts, after blanks, with the word RUN in any case.
    private static bool HasRunLine(ReadOnlySpan<byte> dockerfile)
    {
        foreach (var range in dockerfile.Split((byte)'\n'))
        {
            var line = dockerfile[range].TrimStart(" \t\r"u8);
            if (line.Length >= 3 && System.Text.Ascii.EqualsIgnoreCase(line[..3], "RUN"u8) && (line.Length == 3 || line[3] is (byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Plans <paramref name="request"/> once per target platform (<see cref="BuildRequest.Platforms"/>), in the
    /// order given; one plan when a single platform or none is asked for.
    /// </summary>
    internal static IReadOnlyList<BuildPlan> PlanPlatforms(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var platforms = KanikoBuilder.TargetPlatforms(request);
        if (platforms.Count <= 1)
        {
            return [Plan(request)];
        }

        using var context = OpenedContext.Open(request);
        var dockerfile = context.Dockerfile;
        var bytes = dockerfile.ReadAllBytes();
        var planRequest = ToPlanRequest(request);
        return [.. platforms.Select(p => Plan(bytes, dockerfile.DisplayName, planRequest with { TargetPlatform = p }))];
    }

    /// <summary>Plans the build of a Dockerfile given as bytes, named <paramref name="fileName"/> in messages.</summary>
    internal static BuildPlan Plan(ReadOnlySpan<byte> dockerfile, string fileName, PlanRequest request)
    {
        var syntax = DockerfileParser.Parse(dockerfile, fileName);
        var instructions = InstructionParser.ParseDockerfile(syntax);
        return BuildPlanner.Plan(instructions, request);
    }

    internal static PlanRequest ToPlanRequest(BuildRequest request) => new()
    {
        BuildArgs = request.BuildArgs,
        Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
        TargetPlatform = KanikoBuilder.TargetPlatforms(request) is { Count: > 0 } platforms ? platforms[0] : null,
    };
}

/// <summary>The plan of one platform's build, as text.</summary>
/// <param name="Platform">The platform the plan builds for.</param>
/// <param name="Text">The plan: stages, steps and their dependencies, one per line.</param>
public sealed record PlanDescription(Platform Platform, string Text);
