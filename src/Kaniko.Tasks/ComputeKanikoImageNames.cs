using Kaniko.Engine.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Kaniko.Tasks;

/// <summary>
/// Works out where the image goes: the repository (given, else the assembly name made valid), the tags (given,
/// else from the version) and the destination references. The targets resolve the <c>Kaniko*</c> and
/// <c>Container*</c> fallbacks before calling it.
/// </summary>
public sealed class ComputeKanikoImageNames : Microsoft.Build.Utilities.Task
{
    /// <summary>The registry host (and port) to push to; may be empty when nothing is pushed.</summary>
    public string? Registry { get; set; }

    /// <summary>The repository as the user gave it; empty to derive it from <see cref="AssemblyName"/>.</summary>
    public string? Repository { get; set; }

    /// <summary>The project's assembly name, the repository's default.</summary>
    [Required]
    public string AssemblyName { get; set; } = string.Empty;

    /// <summary>The tags as the user gave them (<c>;</c> or <c>,</c> separated); empty to derive them from <see cref="Version"/>.</summary>
    public string? Tags { get; set; }

    /// <summary>The project's version (<c>$(Version)</c>).</summary>
    public string? Version { get; set; }

    /// <summary>Whether the image is pushed: then a registry is required.</summary>
    public bool Push { get; set; }

    /// <summary>The runtime identifiers to build one image each for (<c>;</c> or <c>,</c> separated); empty for one image.</summary>
    public string? RuntimeIdentifiers { get; set; }

    /// <summary>One item per runtime identifier, with <c>Platform</c> metadata (<c>linux/amd64</c>), in order.</summary>
    [Output]
    public ITaskItem[] RuntimeIdentifierPlatforms { get; private set; } = [];

    /// <summary>The repository used.</summary>
    [Output]
    public string ComputedRepository { get; private set; } = string.Empty;

    /// <summary>The tags used, in order.</summary>
    [Output]
    public ITaskItem[] ComputedTags { get; private set; } = [];

    /// <summary>The full destination references (<c>REGISTRY/REPOSITORY:TAG</c>), one per tag; empty without a registry.</summary>
    [Output]
    public ITaskItem[] Destinations { get; private set; } = [];

    /// <summary>The names an image loaded into the local docker or podman gets (<c>REPOSITORY:TAG</c>), one per tag.</summary>
    [Output]
    public ITaskItem[] LocalNames { get; private set; } = [];

    /// <inheritdoc />
    public override bool Execute()
    {
        try
        {
            var repository = string.IsNullOrWhiteSpace(Repository) ? ImageNames.RepositoryFromAssemblyName(AssemblyName) : Repository.Trim();
            var tags = ImageNames.SplitList(Tags);
            if (tags.Count == 0)
            {
                tags = ImageNames.TagsFromVersion(Version);
            }

            RuntimeIdentifierPlatforms = [.. ImageNames.SplitList(RuntimeIdentifiers).Distinct(StringComparer.OrdinalIgnoreCase).Select(rid =>
            {
                var item = new TaskItem(rid);
                item.SetMetadata("Platform", RuntimePlatforms.ToPlatform(rid));
                return (ITaskItem)item;
            })];
            ComputedRepository = repository;
            ComputedTags = [.. tags.Select(t => new TaskItem(t))];
            if (string.IsNullOrWhiteSpace(Registry))
            {
                if (Push)
                {
                    throw new KanikoException(DiagnosticCodes.MSBuildRegistryRequired, Strings.MSBuildRegistryRequired);
                }

                // Validate the names all the same, so a bad repository is found before the first push, not at it.
                ImageNames.Destinations("localhost", repository, tags);
                LocalNames = [.. tags.Select(t => new TaskItem(repository + ":" + t))];
                return true;
            }

            Destinations = [.. ImageNames.Destinations(Registry.Trim(), repository, tags).Select(r => new TaskItem(r.ToString()))];
            return true;
        }
        catch (KanikoException e)
        {
            MSBuildDiagnostics.LogError(Log, e, dockerfilePath: null);
            return false;
        }
    }
}
