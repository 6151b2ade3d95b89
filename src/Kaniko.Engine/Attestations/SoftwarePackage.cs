namespace Kaniko.Engine.Attestations;

/// <summary>The package managers whose records an SBOM lists.</summary>
internal enum PackageEcosystem
{
    /// <summary>A Debian or Ubuntu package from the dpkg database.</summary>
    Deb,

    /// <summary>An Alpine package from the apk database.</summary>
    Apk,

    /// <summary>A NuGet package from a <c>*.deps.json</c> file.</summary>
    NuGet,

    /// <summary>A .NET shared framework installed under <c>shared/NAME/VERSION</c>.</summary>
    DotnetFramework,

    /// <summary>A .NET application (the <c>project</c> entry of its <c>*.deps.json</c>).</summary>
    DotnetApplication,
}

/// <summary>
/// One package found in an image, from the database or deps file that records it, with the layer that file came from.
/// </summary>
/// <param name="Ecosystem">Which package manager records it.</param>
/// <param name="Name">The package's name.</param>
/// <param name="Version">Its version as the record writes it.</param>
/// <param name="Purl">Its package URL.</param>
/// <param name="FoundIn">The image path of the record (<c>/var/lib/dpkg/status</c>, <c>/app/App.deps.json</c>).</param>
/// <param name="Layer">The diff ID of the layer that last wrote <paramref name="FoundIn"/>.</param>
internal sealed record SoftwarePackage(PackageEcosystem Ecosystem, string Name, string Version, string Purl, string FoundIn, string Layer)
{
    /// <summary>The architecture (<c>amd64</c>, <c>x86_64</c>, <c>all</c>), or null when the record has none.</summary>
    public string? Architecture { get; init; }

    /// <summary>The source package (dpkg <c>Source</c>, apk origin), or null when it is the package itself.</summary>
    public string? SourcePackage { get; init; }

    /// <summary>The SHA-512 of the NuGet package, lower-case hex, or null.</summary>
    public string? Sha512 { get; init; }

    /// <summary>The names of the packages of the same file this one depends on (deps.json graphs), or empty.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Whether the application references this package itself (not through another package).</summary>
    public bool IsDirect { get; init; }

    /// <summary>The identity used to drop repeats (the same package recorded by two deps files is listed once).</summary>
    public string Key => Purl;
}
