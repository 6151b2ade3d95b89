namespace Kaniko.Engine.Attestations;

/// <summary>Reads the OS package managers' databases: dpkg's status file and <c>status.d/</c>, apk's installed file.</summary>
internal static class OsPackageDatabases
{
    /// <summary>
    /// The packages dpkg records as installed in <paramref name="file"/> (a status file, or one of a distroless
    /// image's <c>status.d/</c> files, which carry no <c>Status</c> field). Removed packages whose configuration stays
    /// (<c>deinstall ok config-files</c>) are not in the image and are left out.
    /// </summary>
    public static IEnumerable<SoftwarePackage> ReadDpkg(PackageRecordFile file, OsRelease? os)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (var fields in ControlStanzas.Read(file.Content, ':'))
        {
            if (!fields.TryGetValue("Package", out var name) || !fields.TryGetValue("Version", out var version))
            {
                continue;
            }

            if (fields.TryGetValue("Status", out var status) && !status.EndsWith(" installed", StringComparison.Ordinal))
            {
                continue;
            }

            var architecture = fields.GetValueOrDefault("Architecture");
            // "Source: name" or "Source: name (version)" when the source's version differs from the binary's.
            var source = fields.TryGetValue("Source", out var sourceField) ? sourceField.Split(' ', 2)[0] : null;
            var distribution = os?.Id ?? "debian";
            var purl = PackageUrl.Create("deb", distribution, name, version,
                ("arch", architecture), ("distro", os?.Distro), ("upstream", source));
            yield return new SoftwarePackage(PackageEcosystem.Deb, name, version, purl, "/" + file.Path, file.Layer)
            {
                Architecture = architecture,
                SourcePackage = source,
            };
        }
    }

    /// <summary>The packages of apk's database <paramref name="file"/> (<c>P:</c> name, <c>V:</c> version, <c>A:</c> architecture, <c>o:</c> origin).</summary>
    public static IEnumerable<SoftwarePackage> ReadApk(PackageRecordFile file, OsRelease? os)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (var fields in ControlStanzas.Read(file.Content, ':'))
        {
            if (!fields.TryGetValue("P", out var name) || !fields.TryGetValue("V", out var version))
            {
                continue;
            }

            var architecture = fields.GetValueOrDefault("A");
            var origin = fields.GetValueOrDefault("o");
            var purl = PackageUrl.Create("apk", os?.Id ?? "alpine", name, version,
                ("arch", architecture), ("distro", os?.Distro), ("upstream", origin));
            yield return new SoftwarePackage(PackageEcosystem.Apk, name, version, purl, "/" + file.Path, file.Layer)
            {
                Architecture = architecture,
                SourcePackage = origin,
            };
        }
    }
}
