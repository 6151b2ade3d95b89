using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Framework;
using MessageImportance = Microsoft.Build.Framework.MessageImportance;

namespace Kaniko.Tasks;

/// <summary>
/// Starts <see cref="EngineWarmUp"/> for the project and returns at once: the SDK targets run it early in a
/// <c>dotnet publish</c> that builds an image, and <see cref="KanikoBuild"/> stops it when the image step begins.
/// </summary>
public sealed class KanikoWarmUp : Microsoft.Build.Utilities.Task
{
    /// <summary>A folder of the warm-up's own (<c>obj/.../kaniko/warm-up/</c>), removed when it ends.</summary>
    [Required]
    public string WorkingFolder { get; set; } = string.Empty;

    /// <summary>The project's Dockerfile, when it has one: its base images are resolved as the build will.</summary>
    public string? Dockerfile { get; set; }

    /// <summary><c>KanikoBuildArg</c> items, for the base image names that use them.</summary>
    public ITaskItem[] BuildArgs { get; set; } = [];

    /// <summary>The registries pushed to (<c>KanikoRegistry</c>, <c>ContainerRegistry</c>), for <see cref="Insecure"/>.</summary>
    public string? Registries { get; set; }

    /// <summary>As <see cref="KanikoBuild.Insecure"/>: plain HTTP for <see cref="Registries"/>.</summary>
    public bool Insecure { get; set; }

    /// <summary>As <see cref="KanikoBuild.InsecureRegistries"/>.</summary>
    public string? InsecureRegistries { get; set; }

    /// <inheritdoc />
    public override bool Execute()
    {
        if (BuildEngine is not IBuildEngine4 engine)
        {
            return true;
        }

        // No engine type is named on this thread: loading the engine is part of the warm-up, on the thread pool.
        EngineWarmUp.Start(engine, engine.ProjectFileOfTaskNode, Path.GetFullPath(WorkingFolder), this);
        Log.LogMessage(MessageImportance.Normal, "Warming the image step up in the background ({0})", WorkingFolder);
        return true;
    }

    /// <summary>
    /// A request naming the project Dockerfile's base images as the build will (with its build arguments and
    /// registry settings), or null without a Dockerfile or when something is wrong, which is for the build to report.
    /// </summary>
    internal BuildRequest? BaseImagesRequest()
    {
        if (string.IsNullOrWhiteSpace(Dockerfile) || !File.Exists(Dockerfile))
        {
            return null;
        }

        try
        {
            var dockerfile = Path.GetFullPath(Dockerfile);
            return new BuildRequest
            {
                Context = Path.GetDirectoryName(dockerfile)!,
                Dockerfile = dockerfile,
                BuildArgs = BuildRequest.ParseBuildArgs(BuildArgs.Select(KanikoBuild.BuildArgumentSpec), Environment.GetEnvironmentVariable),
                Registry = TaskRegistryOptions.Create(ImageNames.SplitList(Registries), Insecure, InsecureRegistries, skipTlsVerify: false),
            };
        }
        catch (KanikoException)
        {
            return null;
        }
    }
}
