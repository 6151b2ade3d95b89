using System.Text.Json;
using Kaniko.Engine.Attestations;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Attestations;

public sealed class AttestationDocumentTests
{
    private static readonly Digest ImageDigest = Digest.Compute("image"u8);
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private static readonly AttestedImage Image = new(
        "127.0.0.1:5000/team/app", ImageDigest, Platform.Parse("linux/amd64"),
        new ResolvedImage("127.0.0.1:5000/dotnet/aspnet:10.0", Digest.Compute("base"u8)));

    private static readonly SoftwarePackage[] Packages =
    [
        new(PackageEcosystem.Deb, "libc6", "2.36-9", "pkg:deb/debian/libc6@2.36-9?arch=amd64", "/var/lib/dpkg/status", "sha256:" + new string('1', 64)),
        new(PackageEcosystem.DotnetApplication, "App", "1.0.0", "pkg:generic/dotnet/App@1.0.0", "/app/App.deps.json", "sha256:" + new string('2', 64)) { DependsOn = ["Polly.Core"] },
        new(PackageEcosystem.NuGet, "Polly.Core", "8.9.1", "pkg:nuget/Polly.Core@8.9.1", "/app/App.deps.json", "sha256:" + new string('2', 64)) { Sha512 = new string('a', 128), IsDirect = true },
    ];

    [Fact]
    public void Sbom_statement_is_valid_spdx_in_an_in_toto_statement_and_the_same_bytes_twice()
    {
        var first = SbomStatement();

        using var document = JsonDocument.Parse(first);
        Assert.Empty(AttestationSchemas.SpdxStatementErrors(document.RootElement));
        Assert.Equal(first, SbomStatement());
        var predicate = document.RootElement.GetProperty("predicate");
        Assert.Equal(ImageDigest.Encoded, document.RootElement.GetProperty("subject")[0].GetProperty("digest").GetProperty("sha256").GetString());
        var relationships = predicate.GetProperty("relationships").EnumerateArray()
            .Select(r => (r.GetProperty("spdxElementId").GetString(), r.GetProperty("relationshipType").GetString(), r.GetProperty("relatedSpdxElement").GetString()))
            .ToList();
        Assert.Contains(("SPDXRef-Image", "DESCENDANT_OF", "SPDXRef-BaseImage"), relationships);
        Assert.Equal(3, relationships.Count(r => r.Item1 == "SPDXRef-Image" && r.Item2 == "CONTAINS"));
        Assert.Single(relationships, r => r.Item2 == "DEPENDS_ON" && r.Item1!.StartsWith("SPDXRef-DotnetApplication-App-", StringComparison.Ordinal));
    }

    [Fact]
    public void CycloneDx_statement_is_valid_cyclonedx_1_6_with_the_same_packages_and_graph_and_the_same_bytes_twice()
    {
        var first = CycloneDxStatement();

        using var document = JsonDocument.Parse(first);
        Assert.Empty(AttestationSchemas.CycloneDxStatementErrors(document.RootElement));
        Assert.Equal(first, CycloneDxStatement());
        Assert.Equal(CycloneDxDocument.PredicateType, document.RootElement.GetProperty("predicateType").GetString());
        var bom = document.RootElement.GetProperty("predicate");
        var image = bom.GetProperty("metadata").GetProperty("component");
        Assert.Equal(("container", ImageDigest.ToString()), (image.GetProperty("type").GetString(), image.GetProperty("version").GetString()));
        Assert.Equal(Image.BaseImage!.Reference, image.GetProperty("pedigree").GetProperty("ancestors")[0].GetProperty("name").GetString());
        var components = bom.GetProperty("components").EnumerateArray().ToList();
        Assert.Equal(Packages.Select(p => p.Purl), components.Select(c => c.GetProperty("purl").GetString()));
        Assert.Equal(["library", "application", "library"], components.Select(c => c.GetProperty("type").GetString()));
        Assert.Equal(new string('a', 128), components[2].GetProperty("hashes")[0].GetProperty("content").GetString());

        // Every reference names a component of the BOM (the schema cannot say so), and the app depends on Polly.Core.
        var refs = components.Select(c => c.GetProperty("bom-ref").GetString()).Append(image.GetProperty("bom-ref").GetString()).ToHashSet();
        var dependencies = bom.GetProperty("dependencies").EnumerateArray().ToList();
        Assert.All(dependencies.SelectMany(d => d.GetProperty("dependsOn").EnumerateArray().Append(d.GetProperty("ref"))), r => Assert.Contains(r.GetString(), refs));
        Assert.Equal(
            ["pkg:nuget/Polly.Core@8.9.1"],
            dependencies.Single(d => d.GetProperty("ref").GetString() == "pkg:generic/dotnet/App@1.0.0").GetProperty("dependsOn").EnumerateArray().Select(r => r.GetString()));
    }

    [Theory]
    [InlineData("format=cyclonedx", true, SbomFormat.CycloneDx)]
    [InlineData("true,format=spdx", true, SbomFormat.Spdx)]
    [InlineData("false,format=cyclonedx", false, SbomFormat.CycloneDx)]
    [InlineData("generator=docker/buildkit-syft-scanner", true, SbomFormat.Spdx)]
    public void Sbom_values_take_a_format(string value, bool enabled, SbomFormat format)
    {
        var options = new AttestationOptions().WithSbom(value);

        Assert.Equal((enabled, format), (options.Sbom, options.SbomFormat));
    }

    [Fact]
    public void Provenance_statement_is_valid_slsa_v1_records_args_and_is_the_same_bytes_twice()
    {
        var facts = Facts(ProvenanceMode.Max);
        var statement = InTotoStatement.Write(Image, SlsaProvenance.PredicateType, SlsaProvenance.Write(facts));

        using var document = JsonDocument.Parse(statement);
        Assert.Empty(AttestationSchemas.ProvenanceStatementErrors(document.RootElement));
        var text = System.Text.Encoding.UTF8.GetString(statement);
        Assert.Contains("\"build-arg:VERSION\":\"1.2\"", text, StringComparison.Ordinal);
        Assert.Contains("\"stages\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"invocationId\"", text, StringComparison.Ordinal);
        Assert.Equal(statement, InTotoStatement.Write(Image, SlsaProvenance.PredicateType, SlsaProvenance.Write(facts)));
    }

    [Fact]
    public void Schemas_reject_documents_that_miss_what_the_specs_require()
    {
        using var spdx = JsonDocument.Parse("""{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"https://spdx.dev/Document","predicate":{"spdxVersion":"SPDX-2.2"}}""");
        using var cyclonedx = JsonDocument.Parse("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"https://cyclonedx.org/bom","predicate":{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"lib","name":"x"}]}}""");
        using var slsa = JsonDocument.Parse("""{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"runDetails":{"builder":{}}}}""");

        Assert.NotEmpty(AttestationSchemas.SpdxStatementErrors(spdx.RootElement));
        Assert.NotEmpty(AttestationSchemas.ProvenanceStatementErrors(slsa.RootElement));
        Assert.NotEmpty(AttestationSchemas.CycloneDxStatementErrors(cyclonedx.RootElement));
    }

    [Fact]
    public void Min_provenance_has_no_stage_steps()
    {
        var text = System.Text.Encoding.UTF8.GetString(SlsaProvenance.Write(Facts(ProvenanceMode.Min)));

        Assert.DoesNotContain("\"stages\"", text, StringComparison.Ordinal);
        Assert.Contains("\"kaniko_mode\":\"min\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", ProvenanceMode.Min)]
    [InlineData("min", ProvenanceMode.Min)]
    [InlineData("mode=max", ProvenanceMode.Max)]
    [InlineData("max", ProvenanceMode.Max)]
    [InlineData("false", ProvenanceMode.None)]
    [InlineData("disabled=true", ProvenanceMode.None)]
    [InlineData("mode=max,builder-id=https://ci.example/run/1", ProvenanceMode.Max)]
    public void Provenance_values_are_read_as_buildx_reads_them(string value, ProvenanceMode expected)
    {
        Assert.Equal(expected, new AttestationOptions().WithProvenance(value).Provenance);
    }

    [Theory]
    [InlineData("--provenance", "mode=full")]
    [InlineData("--provenance", "version=v9")]
    [InlineData("--sbom", "maybe")]
    public void Unknown_attestation_values_are_KANIKO5100(string flag, string value)
    {
        var error = Assert.Throws<KanikoException>(() => flag == "--sbom" ? new AttestationOptions().WithSbom(value) : new AttestationOptions().WithProvenance(value));

        Assert.Equal(DiagnosticCodes.InvalidAttestationOption, error.Code);
    }

    private static byte[] CycloneDxStatement() =>
        InTotoStatement.Write(Image, CycloneDxDocument.PredicateType, CycloneDxDocument.Write(Image, Packages, Epoch, "1.0.0"));

    private static byte[] SbomStatement() =>
        InTotoStatement.Write(Image, SpdxDocument.PredicateType, SpdxDocument.Write(Image, Packages, Epoch, "1.0.0"));

    private static ProvenanceFacts Facts(ProvenanceMode mode) => new()
    {
        Max = mode == ProvenanceMode.Max,
        BuilderId = SlsaProvenance.DefaultBuilderId,
        BuilderVersion = "1.0.0",
        Context = "dir:///src/app",
        DockerfilePath = "Dockerfile",
        DockerfileDigest = Digest.Compute("FROM scratch\n"u8),
        BuildArgs = [new("VERSION", "1.2")],
        Platform = Platform.Parse("linux/amd64"),
        BuildPlatform = Platform.Parse("linux/amd64"),
        Materials = [Image.BaseImage!],
        Stages = [("stage-0", ["FROM scratch", "COPY a /a"])],
        StartedOn = Epoch,
        FinishedOn = Epoch,
        Reproducible = true,
    };
}
