using System.Globalization;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Reads NuGet's <c>project.assets.json</c> (the restore's resolved graph) for what the deps file cannot say for sure:
/// which packages the project references itself. The MSBuild SDK passes it in <c>AttestationOptions.ProjectAssetsFile</c>.
/// </summary>
internal static class ProjectAssets
{
    /// <summary>The names of the packages the project references directly, in any of its target frameworks.</summary>
    public static IReadOnlySet<string> DirectDependencies(string assetsFile)
    {
        ArgumentNullException.ThrowIfNull(assetsFile);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(assetsFile));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new KanikoException(DiagnosticCodes.ProjectAssetsUnreadable,
                string.Format(CultureInfo.InvariantCulture, Strings.ProjectAssetsUnreadable, assetsFile, error.Message), innerException: error);
        }

        using var disposing = document;
        if (document.RootElement.TryGetProperty("project", out var project) && project.ValueKind == JsonValueKind.Object
            && project.TryGetProperty("frameworks", out var frameworks) && frameworks.ValueKind == JsonValueKind.Object)
        {
            foreach (var framework in frameworks.EnumerateObject())
            {
                if (framework.Value.ValueKind == JsonValueKind.Object
                    && framework.Value.TryGetProperty("dependencies", out var dependencies) && dependencies.ValueKind == JsonValueKind.Object)
                {
                    names.UnionWith(dependencies.EnumerateObject().Select(d => d.Name));
                }
            }
        }

        return names;
    }
}
