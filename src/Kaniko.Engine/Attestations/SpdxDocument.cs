using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Writes an SPDX 2.3 JSON document of an image: a package for the image (purpose <c>CONTAINER</c>), one for its base
/// image (the image is its <c>DESCENDANT_OF</c>), and one per package found, each with its purl, its checksum when the
/// record has one, and in <c>sourceInfo</c> the record and layer it was found in. Relationships give what the image
/// <c>CONTAINS</c> and the .NET dependency graph (<c>DEPENDS_ON</c>); direct references are the application's.
/// The bytes depend only on the inputs (no random namespace), so reproducible builds give reproducible SBOMs.
/// </summary>
internal static class SpdxDocument
{
    /// <summary>The in-toto predicate type of an SPDX document, as BuildKit writes it.</summary>
    public const string PredicateType = "https://spdx.dev/Document";

    private const string ImageId = "SPDXRef-Image";
    private const string BaseImageId = "SPDXRef-BaseImage";

    /// <summary>The document, as UTF-8 JSON.</summary>
    public static byte[] Write(AttestedImage image, IReadOnlyList<SoftwarePackage> packages, DateTimeOffset created, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(packages);
        var ids = AssignIds(packages);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteString("spdxVersion", "SPDX-2.3");
            json.WriteString("dataLicense", "CC0-1.0");
            json.WriteString("SPDXID", "SPDXRef-DOCUMENT");
            json.WriteString("name", image.Name + "@" + image.Manifest);
            json.WriteString("documentNamespace", "https://spdx.org/spdxdocs/kaniko-dotnet/" + Slug(image.Name) + "-" + NameBasedId(image.Manifest + "\n" + image.Platform));
            json.WriteStartObject("creationInfo");
            json.WriteString("created", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("creators");
            json.WriteStringValue("Tool: kaniko-dotnet-" + toolVersion);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("documentDescribes");
            json.WriteStringValue(ImageId);
            json.WriteEndArray();

            json.WriteStartArray("packages");
            WriteImagePackage(json, ImageId, image.Name, image.Manifest.ToString(), image.Platform.ToString());
            if (image.BaseImage is { } baseImage)
            {
                WriteImagePackage(json, BaseImageId, baseImage.Reference, baseImage.Digest.ToString(), image.Platform.ToString());
            }

            foreach (var package in packages)
            {
                WritePackage(json, ids[package.Key], package);
            }

            json.WriteEndArray();
            WriteRelationships(json, image, packages, ids);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteImagePackage(Utf8JsonWriter json, string id, string name, string digest, string platform)
    {
        json.WriteStartObject();
        json.WriteString("SPDXID", id);
        json.WriteString("name", name);
        json.WriteString("versionInfo", digest);
        json.WriteString("downloadLocation", "NOASSERTION");
        json.WriteBoolean("filesAnalyzed", false);
        json.WriteString("primaryPackagePurpose", "CONTAINER");
        json.WriteStartArray("checksums");
        json.WriteStartObject();
        json.WriteString("algorithm", "SHA256");
        json.WriteString("checksumValue", digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        json.WriteEndObject();
        json.WriteEndArray();
        var repository = name.Split('@')[0];
        var lastSlash = repository.LastIndexOf('/');
        var colon = repository.IndexOf(':', lastSlash + 1);
        var bareName = colon > 0 ? repository[(lastSlash + 1)..colon] : repository[(lastSlash + 1)..];
        WritePurl(json, PackageUrl.Create("oci", null, bareName, digest,
            ("platform", platform), ("repository_url", colon > 0 ? repository[..colon] : repository)));
        json.WriteEndObject();
    }

    private static void WritePackage(Utf8JsonWriter json, string id, SoftwarePackage package)
    {
        json.WriteStartObject();
        json.WriteString("SPDXID", id);
        json.WriteString("name", package.Name);
        json.WriteString("versionInfo", package.Version);
        json.WriteString("downloadLocation", "NOASSERTION");
        json.WriteBoolean("filesAnalyzed", false);
        json.WriteString("sourceInfo", string.Create(CultureInfo.InvariantCulture,
            $"{Describe(package.Ecosystem)} {package.FoundIn}, written by layer {package.Layer}"));
        json.WriteString("primaryPackagePurpose", package.Ecosystem switch
        {
            PackageEcosystem.DotnetFramework => "FRAMEWORK",
            PackageEcosystem.DotnetApplication => "APPLICATION",
            PackageEcosystem.NuGet => "LIBRARY",
            _ => "INSTALL",
        });
        if (package.Sha512 is { } sha)
        {
            json.WriteStartArray("checksums");
            json.WriteStartObject();
            json.WriteString("algorithm", "SHA512");
            json.WriteString("checksumValue", sha);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        if (package.SourcePackage is { } source && package.Ecosystem is PackageEcosystem.Deb or PackageEcosystem.Apk)
        {
            json.WriteString("comment", "source package: " + source);
        }

        WritePurl(json, package.Purl);
        json.WriteEndObject();
    }

    private static void WritePurl(Utf8JsonWriter json, string purl)
    {
        json.WriteStartArray("externalRefs");
        json.WriteStartObject();
        json.WriteString("referenceCategory", "PACKAGE-MANAGER");
        json.WriteString("referenceType", "purl");
        json.WriteString("referenceLocator", purl);
        json.WriteEndObject();
        json.WriteEndArray();
    }

    private static void WriteRelationships(Utf8JsonWriter json, AttestedImage image, IReadOnlyList<SoftwarePackage> packages, Dictionary<string, string> ids)
    {
        json.WriteStartArray("relationships");
        WriteRelationship(json, "SPDXRef-DOCUMENT", "DESCRIBES", ImageId);
        if (image.BaseImage is not null)
        {
            WriteRelationship(json, ImageId, "DESCENDANT_OF", BaseImageId);
        }

        foreach (var package in packages)
        {
            WriteRelationship(json, ImageId, "CONTAINS", ids[package.Key]);
        }

        foreach (var (from, to) in DotnetDependencyGraph.Edges(packages))
        {
            WriteRelationship(json, ids[from.Key], "DEPENDS_ON", ids[to.Key]);
        }

        json.WriteEndArray();
    }

    private static void WriteRelationship(Utf8JsonWriter json, string from, string type, string to)
    {
        json.WriteStartObject();
        json.WriteString("spdxElementId", from);
        json.WriteString("relationshipType", type);
        json.WriteString("relatedSpdxElement", to);
        json.WriteEndObject();
    }

    private static string Describe(PackageEcosystem ecosystem) => ecosystem switch
    {
        PackageEcosystem.Deb => "dpkg database",
        PackageEcosystem.Apk => "apk database",
        PackageEcosystem.DotnetFramework => ".NET shared framework version file",
        _ => ".NET deps file",
    };

    // SPDX ids allow letters, digits, '.' and '-': the ecosystem, the name and a short hash of the purl keep them
    // readable and unique.
    private static Dictionary<string, string> AssignIds(IReadOnlyList<SoftwarePackage> packages) =>
        packages.ToDictionary(p => p.Key, p => string.Create(CultureInfo.InvariantCulture,
            $"SPDXRef-{p.Ecosystem}-{Slug(p.Name)}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(p.Purl)))[..12]}"), StringComparer.Ordinal);

    private static string Slug(string text)
    {
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            slug.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '-');
        }

        return slug.ToString();
    }

    /// <summary>A version-5-style UUID of <paramref name="text"/>: unique per image, the same for the same image.</summary>
    internal static string NameBasedId(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16).ToArray();
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true).ToString("D");
    }
}
