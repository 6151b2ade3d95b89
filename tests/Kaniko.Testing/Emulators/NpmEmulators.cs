namespace Kaniko.Testing.Emulators;

/// <summary>
/// Where scripts/install-bucket-emulators.sh puts the npm packages of the storage emulators:
/// <c>npm/PACKAGE-VERSION</c> in <see cref="TestCache.Directory"/>. The versions here and in the script go together.
/// </summary>
public static class NpmEmulators
{
    /// <summary>Azurite, Microsoft's Azure Storage emulator.</summary>
    public static readonly NpmPackage Azurite = new("azurite", "3.37.0");

    /// <summary>s3rver, an S3 server.</summary>
    public static readonly NpmPackage S3rver = new("s3rver", "3.7.1");

    /// <summary>firebase-tools, whose Cloud Storage emulator serves the Google Cloud Storage JSON API.</summary>
    public static readonly NpmPackage FirebaseTools = new("firebase-tools", "15.34.2");

    /// <summary>The <c>node</c> executable, or null when Node.js is not installed.</summary>
    public static string? Node => ExternalTools.Find("node");
}

/// <summary>One npm package installed in the test cache.</summary>
/// <param name="Name">The package name.</param>
/// <param name="Version">The exact version.</param>
public sealed record NpmPackage(string Name, string Version)
{
    /// <summary>The install prefix, <c>npm/NAME-VERSION</c> in the test cache.</summary>
    public string Prefix => Path.Combine(TestCache.Directory, "npm", $"{Name}-{Version}");

    /// <summary>The package's own folder inside <see cref="Prefix"/>.</summary>
    public string PackageDirectory => Path.Combine(Prefix, "node_modules", Name);

    /// <summary>Whether the package is installed.</summary>
    public bool IsInstalled => File.Exists(Path.Combine(PackageDirectory, "package.json"));

    /// <summary>Why tests are skipped when the package is missing.</summary>
    public string MissingMessage => TestRequirements.NotInstalled($"{Name} {Version} (npm)");
}
