using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Attestations;

/// <summary>
/// The ASP.NET base plus a published application: the SBOM's NuGet packages are what <c>dotnet list package
/// --include-transitive</c> says of the project, its shared frameworks are the base's, its Debian packages are what
/// dpkg-query reads from the unpacked image; and a scratch image written to an OCI layout and a tarball carries its
/// attestations there too.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class DotnetAttestationTests(RegistryFixture registry) : IDisposable
{
    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <AssemblyName>App</AssemblyName>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Polly.Core" Version="8.9.1" />
            <PackageReference Include="System.CommandLine" Version="2.0.0" />
          </ItemGroup>
        </Project>
        """;

    private readonly BuildHarness _harness = new(registry);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Aspnet_app_sbom_matches_dotnet_list_package_the_frameworks_and_dpkg()
    {
        var aspnet = await BaseImages.PushDotnetAsync(registry, DotnetImageFlavor.Aspnet, Cancellation);
        var source = _harness.Path("src");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "App.csproj"), Project, Cancellation);
        await File.WriteAllTextAsync(Path.Combine(source, "Program.cs"), "System.Console.WriteLine(typeof(Polly.ResiliencePipeline).Name);\n", Cancellation);
        await ExternalTools.RunCheckedAsync("dotnet", ["publish", source, "-c", "Release", "-o", Path.Combine(_harness.ContextDirectory, "app")], cancellationToken: Cancellation);
        var listed = await DotnetListPackagesAsync(source);
        _harness.Write("Dockerfile", $"FROM {aspnet.Reference}\nWORKDIR /app\nCOPY app/ /app/\nENTRYPOINT [\"dotnet\", \"App.dll\"]\n");
        var reference = _harness.NewReference("aspnet-app");
        var sbomFile = _harness.Path("sbom.jsonl");

        await _harness.BuildAsync(_harness.Request(reference) with
        {
            Attestations = new AttestationOptions { Sbom = true, SbomFile = sbomFile, ProjectAssetsFile = Path.Combine(source, "obj", "project.assets.json") },
        });

        var sbom = Assert.Single(AttestationTruth.Statements(sbomFile));
        Assert.Empty(AttestationSchemas.SpdxStatementErrors(sbom));
        var packages = AttestationTruth.Packages(sbom).ToList();
        var appPackages = new SortedSet<string>(
            packages.Where(p => AttestationTruth.Purl(p)?.StartsWith("pkg:nuget/", StringComparison.Ordinal) == true
                && p.GetProperty("sourceInfo").GetString()!.Contains("/app/App.deps.json", StringComparison.Ordinal))
                .Select(p => p.GetProperty("name").GetString() + " " + p.GetProperty("versionInfo").GetString()),
            StringComparer.Ordinal);
        Assert.Equal(listed, appPackages);

        var host = HostDotnet.Find();
        var frameworks = packages.Where(p => p.GetProperty("primaryPackagePurpose").GetString() == "FRAMEWORK")
            .Select(p => p.GetProperty("name").GetString() + " " + p.GetProperty("versionInfo").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(["Microsoft.AspNetCore.App " + host.AspNetCoreVersion, "Microsoft.NETCore.App " + host.RuntimeVersion], frameworks);

        var dpkg = await AttestationTruth.DpkgQueryAsync(await _harness.UnpackAsync(reference));
        Assert.Equal(dpkg, AttestationTruth.SbomPackages(sbom, "deb"));

        // Both references are the project's own, so the application depends on each directly.
        var ids = packages.ToDictionary(p => p.GetProperty("SPDXID").GetString()!, p => p.GetProperty("name").GetString());
        var direct = sbom.GetProperty("predicate").GetProperty("relationships").EnumerateArray()
            .Where(r => r.GetProperty("relationshipType").GetString() == "DEPENDS_ON" && ids[r.GetProperty("spdxElementId").GetString()!] == "App")
            .Select(r => ids[r.GetProperty("relatedSpdxElement").GetString()!]).Order(StringComparer.Ordinal);
        Assert.Equal(["Polly.Core", "System.CommandLine"], direct);
    }

    [Fact]
    public async Task Scratch_image_attestations_go_into_the_oci_layout_and_the_tarball()
    {
        _harness.Write("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n");
        _harness.Write("hello.txt", "hello\n");
        var layout = _harness.Path("layout");
        var tarball = _harness.Path("image.tar");

        var result = await _harness.BuildAsync(_harness.Request("127.0.0.1:5000/tests/scratch:1") with
        {
            NoPush = true,
            OciLayoutPath = layout,
            TarPath = tarball,
            Reproducible = true,
            Attestations = new AttestationOptions { Sbom = true, Provenance = ProvenanceMode.Min },
        });

        var imageDigest = Assert.Single(result.Images).Digest.ToString();
        // skopeo reads the layout's tag as the index (its digest) and the image in it for this platform.
        using var inspect = await BuildHarness.SkopeoJsonAsync("inspect", "oci:" + layout + ":1");
        Assert.Equal(result.Digest.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        using var config = await BuildHarness.SkopeoJsonAsync("inspect", "--config", "oci:" + layout + ":1");
        Assert.NotEqual("unknown", config.RootElement.GetProperty("architecture").GetString());
        // The tarball still loads as the image (skopeo's docker-archive reads manifest.json): the same config.
        using var archived = await BuildHarness.SkopeoJsonAsync("inspect", "--config", "docker-archive:" + tarball);
        Assert.Equal(config.RootElement.GetRawText(), archived.RootElement.GetRawText());

        using var index = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", result.Digest.Encoded), Cancellation));
        Assert.Equal(imageDigest, index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString());
        var attestation = index.RootElement.GetProperty("manifests")[1];
        Assert.Equal("attestation-manifest", attestation.GetProperty("annotations").GetProperty("vnd.docker.reference.type").GetString());
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(
            Path.Combine(layout, "blobs", "sha256", attestation.GetProperty("digest").GetString()!["sha256:".Length..]), Cancellation));
        var sbomDigest = manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!;
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", sbomDigest["sha256:".Length..]), Cancellation));
        Assert.Empty(AttestationSchemas.SpdxStatementErrors(sbom.RootElement));
        // Scratch: the image and nothing else; no ancestor.
        Assert.Equal(["SPDXRef-Image"], AttestationTruth.Packages(sbom.RootElement).Select(p => p.GetProperty("SPDXID").GetString()));
    }

    private static async Task<SortedSet<string>> DotnetListPackagesAsync(string project)
    {
        var list = await ExternalTools.RunCheckedAsync(
            "dotnet", ["list", project, "package", "--include-transitive", "--format", "json"], cancellationToken: Cancellation);
        using var json = JsonDocument.Parse(list.StandardOutput);
        var packages = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var framework in json.RootElement.GetProperty("projects")[0].GetProperty("frameworks").EnumerateArray())
        {
            foreach (var kind in new[] { "topLevelPackages", "transitivePackages" })
            {
                if (framework.TryGetProperty(kind, out var items))
                {
                    packages.UnionWith(items.EnumerateArray().Select(p => p.GetProperty("id").GetString() + " " + p.GetProperty("resolvedVersion").GetString()));
                }
            }
        }

        return packages;
    }
}
