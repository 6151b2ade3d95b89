using System.Text;
using System.Text.RegularExpressions;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// The .NET shared frameworks an image holds (<c>shared/Microsoft.NETCore.App/10.0.1/</c>, ASP.NET Core, ...), each
/// known by its <c>.version</c> file (commit, then version) and named in package URLs by the runtime pack its own
/// <c>*.deps.json</c> lists.
/// </summary>
internal static partial class DotnetFrameworks
{
    /// <summary>The framework folder (<c>usr/share/dotnet/shared/NAME/VERSION</c>), name and version a path lies in, or null.</summary>
    public static (string Directory, string Name, string Version)? FrameworkOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var match = FrameworkFile().Match(path);
        return match.Success ? (match.Groups["dir"].Value, match.Groups["name"].Value, match.Groups["version"].Value) : null;
    }

    /// <summary>One package per framework <c>.version</c> file of <paramref name="files"/>.</summary>
    public static IEnumerable<SoftwarePackage> Read(IReadOnlyList<PackageRecordFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files.Where(f => f.Path.EndsWith("/.version", StringComparison.Ordinal)))
        {
            if (FrameworkOf(file.Path) is not { } framework)
            {
                continue;
            }

            var lines = Encoding.UTF8.GetString(file.Content.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var version = lines.Length > 1 ? lines[1] : framework.Version;
            var depsFile = files.FirstOrDefault(f => f.Path == framework.Directory + "/" + framework.Name + ".deps.json");
            var runtimePack = depsFile is null ? null : DepsJsonFile.Libraries(depsFile).FirstOrDefault(l => l.Type == "package");
            var purl = runtimePack is null
                ? PackageUrl.Create("generic", "dotnet", framework.Name, version)
                : PackageUrl.Create("nuget", null, runtimePack.Name, runtimePack.Version);
            yield return new SoftwarePackage(PackageEcosystem.DotnetFramework, framework.Name, version, purl, "/" + file.Path, file.Layer)
            {
                SourcePackage = lines.Length > 0 ? "commit " + lines[0] : null,
            };
        }
    }

    [GeneratedRegex(@"^(?<dir>(?:.*/)?shared/(?<name>Microsoft\.[A-Za-z.]+App)/(?<version>[0-9][^/]*))/[^/]+$", RegexOptions.CultureInvariant)]
    private static partial Regex FrameworkFile();
}
