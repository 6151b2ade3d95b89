using Kaniko.Engine.Context.Sources;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Dockerfile.Instructions;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;

namespace Kaniko.Engine;

/// <summary>
/// Rootless builds with full uid mapping, as <c>buildah unshare</c> does them: a host that is not root, whose user
/// has ranges in <c>/etc/subuid</c> and <c>/etc/subgid</c>, runs itself again inside a user namespace where it is
/// root and the ranges are ids 1 and up. There the stage root filesystems get their real owners, <c>RUN</c> steps can
/// <c>chown</c> and add users, and the ids on disk are the ids of the image, so nothing needs translating when layers
/// are written. A .NET process has threads and cannot enter a user namespace itself, hence the new process.
/// Hosts that cannot start themselves again (the MSBuild tasks run inside MSBuild) build in their own process, where
/// <c>RUN</c> steps map one id and a warning (<c>KANIKO4460</c>) says that owners are flattened.
/// </summary>
public static class RootlessBuild
{
    /// <summary>
    /// The command prefix (a program and its arguments, ending with <c>--</c>) in front of which the host runs its own
    /// command line again, or <c>null</c> when <paramref name="request"/> builds in this process: on other systems than
    /// Linux, as root (also the root of a user namespace, so the new process never starts another), with
    /// <c>--isolation none</c>, without <c>RUN</c> in the stages the build needs, or when the user has no ranges.
    /// </summary>
    /// <exception cref="KanikoException">
    /// <c>KANIKO4461</c> when a tool the mapping needs is missing, <c>KANIKO4462</c> when the user's ranges are
    /// malformed or only in one of the files, <c>KANIKO4463</c> when the system refuses the mapping; planning errors
    /// of the Dockerfile as the build would report them.
    /// </exception>
    public static IReadOnlyList<string>? UserNamespaceCommand(BuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!OperatingSystem.IsLinux() || LibC.EffectiveUserId == 0 || request.Isolation == IsolationKind.None)
        {
            return null;
        }

        // Standard input can be read only once: a context given there is built here, RUN steps then map one id.
        if (ContextMaterializer.ReadsStandardInput(request.Context))
        {
            return null;
        }

        // ONBUILD triggers of a base image are known only once its config is fetched: a RUN among them runs with one id.
        var hasRun = KanikoPlanner.PlanPlatforms(request)
            .Any(plan => plan.Stages.Any(stage => stage.Steps.Any(step => step.Instruction is RunInstruction)));
        if (!hasRun)
        {
            return null;
        }

        var mapping = UserNamespaceMapping.ForCurrentUser();
        return mapping.HasRanges ? mapping.CommandPrefix() : null;
    }
}
