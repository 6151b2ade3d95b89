namespace Kaniko.Engine.Attestations;

/// <summary>
/// The .NET dependency edges among the packages found (applications and NuGet packages): each package's
/// <see cref="SoftwarePackage.DependsOn"/> names resolve within the packages of the same deps file first, then any
/// .NET package, so that two applications in one image with different versions of a package keep their own.
/// </summary>
internal static class DotnetDependencyGraph
{
    /// <summary>Every resolved edge, in the order of <paramref name="packages"/> and of each one's dependencies.</summary>
    public static IEnumerable<(SoftwarePackage From, SoftwarePackage To)> Edges(IReadOnlyList<SoftwarePackage> packages)
    {
        var dotnet = packages.Where(p => p.Ecosystem is PackageEcosystem.NuGet or PackageEcosystem.DotnetApplication).ToList();
        foreach (var package in dotnet)
        {
            foreach (var dependency in package.DependsOn)
            {
                var target = dotnet.FirstOrDefault(p => p.FoundIn == package.FoundIn && string.Equals(p.Name, dependency, StringComparison.OrdinalIgnoreCase))
                    ?? dotnet.FirstOrDefault(p => string.Equals(p.Name, dependency, StringComparison.OrdinalIgnoreCase));
                if (target is not null)
                {
                    yield return (package, target);
                }
            }
        }
    }
}
