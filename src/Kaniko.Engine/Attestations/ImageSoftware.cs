namespace Kaniko.Engine.Attestations;

/// <summary>
/// Every package an image holds, from its package record files (<see cref="ImagePackageFiles"/>): OS packages, .NET
/// shared frameworks, and each application's NuGet packages with the graph its deps file records. The same package
/// recorded twice (two applications using one NuGet package) is listed once.
/// </summary>
internal static class ImageSoftware
{
    /// <summary>The packages of <paramref name="files"/>, sorted by ecosystem, name and version.</summary>
    /// <param name="files">The image's package record files.</param>
    /// <param name="directDependencies">Package names the project references directly (from <c>project.assets.json</c>), or empty.</param>
    public static IReadOnlyList<SoftwarePackage> Find(IReadOnlyList<PackageRecordFile> files, IReadOnlySet<string> directDependencies)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(directDependencies);
        var os = OsRelease.Find(files);
        var packages = new List<SoftwarePackage>();
        foreach (var file in files)
        {
            if (file.Path == PackageRecordFile.DpkgStatus || file.Path.StartsWith(PackageRecordFile.DpkgStatusDirectory, StringComparison.Ordinal))
            {
                packages.AddRange(OsPackageDatabases.ReadDpkg(file, os));
            }
            else if (file.Path == PackageRecordFile.ApkInstalled)
            {
                packages.AddRange(OsPackageDatabases.ReadApk(file, os));
            }
            else if (file.Path.EndsWith(".deps.json", StringComparison.Ordinal) && DotnetFrameworks.FrameworkOf(file.Path) is null)
            {
                packages.AddRange(ApplicationPackages(file, directDependencies));
            }
        }

        packages.AddRange(DotnetFrameworks.Read(files));
        return [.. packages
            .DistinctBy(p => p.Key)
            .OrderBy(p => p.Ecosystem)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Version, StringComparer.Ordinal)];
    }

    private static IEnumerable<SoftwarePackage> ApplicationPackages(PackageRecordFile file, IReadOnlySet<string> directDependencies)
    {
        var libraries = DepsJsonFile.Libraries(file);
        var fileName = Path.GetFileName(file.Path);
        var applicationName = fileName[..^".deps.json".Length];
        var application = libraries.FirstOrDefault(l => l.Type == "project" && l.Name == applicationName)
            ?? libraries.FirstOrDefault(l => l.Type == "project");
        var direct = new HashSet<string>(application?.DependsOn ?? [], StringComparer.OrdinalIgnoreCase);
        direct.UnionWith(directDependencies);
        foreach (var library in libraries)
        {
            if (library.Type == "project")
            {
                yield return new SoftwarePackage(
                    PackageEcosystem.DotnetApplication, library.Name, library.Version,
                    PackageUrl.Create("generic", "dotnet", library.Name, library.Version), "/" + file.Path, file.Layer)
                {
                    DependsOn = library.DependsOn,
                };
            }
            else if (library.Type is "package" or "runtimepack")
            {
                yield return new SoftwarePackage(
                    PackageEcosystem.NuGet, library.Name, library.Version,
                    PackageUrl.Create("nuget", null, library.Name, library.Version), "/" + file.Path, file.Layer)
                {
                    Sha512 = library.Sha512,
                    DependsOn = library.DependsOn,
                    IsDirect = direct.Contains(library.Name),
                };
            }
        }
    }
}
