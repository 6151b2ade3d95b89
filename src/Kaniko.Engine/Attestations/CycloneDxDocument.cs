using System.Globalization;
using System.Text.Json;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// Writes a CycloneDX 1.6 JSON BOM of an image, the second SBOM format (<c>--sbom=format=cyclonedx</c>): the image
/// is the BOM's subject (<c>metadata.component</c>, type <c>container</c>, its base image as its pedigree's ancestor),
/// and every package found is a component with its purl, its hash when the record has one, and as properties the
/// record and layer it was found in. <c>dependencies</c> gives the .NET graph (the application depends on its direct
/// references). The same packages as the SPDX document, and the same rule: the bytes depend only on the inputs.
/// </summary>
internal static class CycloneDxDocument
{
    /// <summary>The in-toto predicate type of a CycloneDX BOM (the in-toto attestation predicate list's).</summary>
    public const string PredicateType = "https://cyclonedx.org/bom";

    /// <summary>The property namespace of what CycloneDX has no field for (the record a package was found in, its layer).</summary>
    private const string Properties = "kaniko-dotnet:";

    /// <summary>The document, as UTF-8 JSON.</summary>
    public static byte[] Write(AttestedImage image, IReadOnlyList<SoftwarePackage> packages, DateTimeOffset created, string toolVersion)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(packages);
        var refs = packages.ToDictionary(p => p.Key, p => p.Purl, StringComparer.Ordinal);
        var imageRef = "image:" + image.Manifest;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("bomFormat", "CycloneDX");
            json.WriteString("specVersion", "1.6");
            json.WriteString("serialNumber", "urn:uuid:" + SpdxDocument.NameBasedId(image.Manifest + "\n" + image.Platform));
            json.WriteNumber("version", 1);
            json.WriteStartObject("metadata");
            json.WriteString("timestamp", created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            json.WriteStartObject("tools");
            json.WriteStartArray("components");
            json.WriteStartObject();
            json.WriteString("type", "application");
            json.WriteString("name", "kaniko-dotnet");
            json.WriteString("version", toolVersion);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            WriteImage(json, imageRef, image.Name, image.Manifest.ToString(), image.Platform.ToString(), image.BaseImage);
            json.WriteEndObject();

            json.WriteStartArray("components");
            foreach (var package in packages)
            {
                WriteComponent(json, refs[package.Key], package);
            }

            json.WriteEndArray();
            WriteDependencies(json, imageRef, packages, refs);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteImage(Utf8JsonWriter json, string bomRef, string name, string digest, string platform, ResolvedImage? baseImage)
    {
        json.WriteStartObject("component");
        WriteContainer(json, bomRef, name, digest, platform);
        if (baseImage is not null)
        {
            json.WriteStartObject("pedigree");
            json.WriteStartArray("ancestors");
            json.WriteStartObject();
            WriteContainer(json, "base-image:" + baseImage.Digest, baseImage.Reference, baseImage.Digest.ToString(), platform);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteContainer(Utf8JsonWriter json, string bomRef, string name, string digest, string platform)
    {
        json.WriteString("type", "container");
        json.WriteString("bom-ref", bomRef);
        json.WriteString("name", name);
        json.WriteString("version", digest);
        json.WriteStartArray("hashes");
        json.WriteStartObject();
        json.WriteString("alg", "SHA-256");
        json.WriteString("content", digest[(digest.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartArray("properties");
        WriteProperty(json, "platform", platform);
        json.WriteEndArray();
    }

    private static void WriteComponent(Utf8JsonWriter json, string bomRef, SoftwarePackage package)
    {
        json.WriteStartObject();
        json.WriteString("type", package.Ecosystem switch
        {
            PackageEcosystem.DotnetFramework => "framework",
            PackageEcosystem.DotnetApplication => "application",
            _ => "library",
        });
        json.WriteString("bom-ref", bomRef);
        json.WriteString("name", package.Name);
        json.WriteString("version", package.Version);
        if (package.Sha512 is { } sha)
        {
            json.WriteStartArray("hashes");
            json.WriteStartObject();
            json.WriteString("alg", "SHA-512");
            json.WriteString("content", sha);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteString("purl", package.Purl);
        json.WriteStartArray("properties");
        WriteProperty(json, "found-in", package.FoundIn);
        WriteProperty(json, "layer", package.Layer);
        if (package.Architecture is { } architecture)
        {
            WriteProperty(json, "architecture", architecture);
        }

        if (package.SourcePackage is { } source)
        {
            WriteProperty(json, "source-package", source);
        }

        if (package.IsDirect)
        {
            WriteProperty(json, "direct-dependency", "true");
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject();
        json.WriteString("name", Properties + name);
        json.WriteString("value", value);
        json.WriteEndObject();
    }

    // The image depends on every package it holds; each .NET package on what its deps file says.
    private static void WriteDependencies(Utf8JsonWriter json, string imageRef, IReadOnlyList<SoftwarePackage> packages, Dictionary<string, string> refs)
    {
        json.WriteStartArray("dependencies");
        json.WriteStartObject();
        json.WriteString("ref", imageRef);
        json.WriteStartArray("dependsOn");
        foreach (var reference in packages.Select(p => refs[p.Key]).Distinct(StringComparer.Ordinal))
        {
            json.WriteStringValue(reference);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        foreach (var edges in DotnetDependencyGraph.Edges(packages).GroupBy(e => refs[e.From.Key], StringComparer.Ordinal))
        {
            json.WriteStartObject();
            json.WriteString("ref", edges.Key);
            json.WriteStartArray("dependsOn");
            foreach (var target in edges.Select(e => refs[e.To.Key]).Distinct(StringComparer.Ordinal))
            {
                json.WriteStringValue(target);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
