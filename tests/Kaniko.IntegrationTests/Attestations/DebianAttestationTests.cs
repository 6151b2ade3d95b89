using System.Runtime.Versioning;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Attestations;

/// <summary>
/// A Debian-based image pushed with an SBOM and provenance: the tag names an index that holds the unchanged image
/// and a BuildKit-style attestation manifest; the SBOM lists exactly what <c>dpkg-query</c> lists (read from the
/// image as umoci unpacks it and as podman runs it); skopeo and podman still pull and run it.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class DebianAttestationTests(RegistryFixture registry) : IDisposable
{
    private readonly BuildHarness _harness = new(registry);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Debian_image_is_attested_in_an_index_and_its_sbom_is_what_dpkg_lists()
    {
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        _harness.Write("Dockerfile", $"FROM {debian.Reference}\nARG VERSION=1\nCOPY hello.txt /hello.txt\n");
        _harness.Write("hello.txt", "hello\n");
        var reference = _harness.NewReference("attested");
        var plainReference = _harness.NewReference("plain");
        var sbomFile = _harness.Path("sbom.jsonl");
        var provenanceFile = _harness.Path("provenance.jsonl");
        var digestFile = _harness.Path("digest");

        var attested = await _harness.BuildAsync(_harness.Request(reference) with
        {
            Reproducible = true,
            DigestFile = digestFile,
            BuildArgs = [new("VERSION", "2"), new("HTTP_PROXY", "http://user:hunter2@proxy.invalid:3128")],
            Attestations = new AttestationOptions { Sbom = true, Provenance = ProvenanceMode.Max, SbomFile = sbomFile, ProvenanceFile = provenanceFile },
        });
        var plain = await _harness.BuildAsync(_harness.Request(plainReference) with { Reproducible = true, BuildArgs = [new("VERSION", "2")] });

        // The image itself is the same with and without attestations; the tag (and the digest file) name the index.
        var imageDigest = Assert.Single(attested.Images).Digest;
        Assert.Equal(plain.Digest, imageDigest);
        Assert.NotEqual(imageDigest, attested.Digest);
        Assert.Equal(attested.Digest.ToString(), (await File.ReadAllTextAsync(digestFile, Cancellation)).Trim());
        var index = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.GetProperty("mediaType").GetString());
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(imageDigest.ToString(), entries[0].GetProperty("digest").GetString());
        var attestation = entries[1];
        Assert.Equal("unknown", attestation.GetProperty("platform").GetProperty("os").GetString());
        Assert.Equal("unknown", attestation.GetProperty("platform").GetProperty("architecture").GetString());
        Assert.Equal("attestation-manifest", attestation.GetProperty("annotations").GetProperty("vnd.docker.reference.type").GetString());
        Assert.Equal(imageDigest.ToString(), attestation.GetProperty("annotations").GetProperty("vnd.docker.reference.digest").GetString());

        // The attestation manifest's layers are the statements the files hold, annotated with their predicate types.
        var repository = reference[..reference.LastIndexOf(':')];
        var manifest = await BuildHarness.ManifestAsync(repository + "@" + attestation.GetProperty("digest").GetString());
        var layers = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.All(layers, l => Assert.Equal("application/vnd.in-toto+json", l.GetProperty("mediaType").GetString()));
        Assert.Equal(["https://spdx.dev/Document", "https://slsa.dev/provenance/v1"],
            layers.Select(l => l.GetProperty("annotations").GetProperty("in-toto.io/predicate-type").GetString()));
        Assert.Equal([.. AttestationTruth.LineDigests(sbomFile), .. AttestationTruth.LineDigests(provenanceFile)], layers.Select(l => l.GetProperty("digest").GetString()));

        // The SBOM: valid, and every installed package, none invented, as dpkg-query reads the unpacked image.
        var sbom = Assert.Single(AttestationTruth.Statements(sbomFile));
        AssertValid(AttestationSchemas.SpdxStatementErrors(sbom));
        var dpkg = await AttestationTruth.DpkgQueryAsync(await _harness.UnpackAsync(reference));
        Assert.NotEmpty(dpkg);
        Assert.Equal(dpkg, AttestationTruth.SbomPackages(sbom, "deb"));
        var baseImage = Assert.Single(AttestationTruth.Packages(sbom), p => p.GetProperty("SPDXID").GetString() == "SPDXRef-BaseImage");
        Assert.Equal(debian.Layout.ManifestDigest, baseImage.GetProperty("versionInfo").GetString());

        // The provenance: valid, the base resolved to its digest, the arguments without the proxy's credentials.
        var provenance = Assert.Single(AttestationTruth.Statements(provenanceFile));
        AssertValid(AttestationSchemas.ProvenanceStatementErrors(provenance));
        var text = provenance.GetRawText();
        Assert.Contains(debian.Layout.ManifestDigest["sha256:".Length..], text, StringComparison.Ordinal);
        Assert.Contains("\"build-arg:VERSION\":\"2\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP_PROXY", text, StringComparison.Ordinal);

        await AssertPodmanPullsAsync(reference, imageDigest.ToString());
    }

    [Fact]
    public async Task Reproducible_builds_give_the_same_attestations()
    {
        var debian = await BaseImages.PushDebianAsync(registry, Cancellation);
        _harness.Write("Dockerfile", $"FROM {debian.Reference}\nCOPY hello.txt /hello.txt\n");
        _harness.Write("hello.txt", "hello\n");
        var options = new AttestationOptions { Sbom = true, Provenance = ProvenanceMode.Min };
        var reference = _harness.NewReference("repro");

        var first = await _harness.BuildAsync(_harness.Request(reference) with { Reproducible = true, Attestations = options });
        var second = await _harness.BuildAsync(_harness.Request(reference) with { Reproducible = true, Attestations = options });

        Assert.Equal(first.Digest, second.Digest);
    }

    private static void AssertValid(IReadOnlyList<string> errors)
    {
        if (errors.Count > 0)
        {
            Assert.Fail(string.Join("\n", errors));
        }
    }

    // podman (a private store, no daemon) pulls the tag and picks the image from the index, never the attestation
    // manifest. (Running it is not possible on every test machine: crun needs cgroup and rlimit rights that
    // unprivileged CI containers lack; what it would list is checked with dpkg-query on umoci's unpack instead.)
    private async Task AssertPodmanPullsAsync(string reference, string imageDigest)
    {
        var podman = TestRequirements.Executable("podman");
        string[] store =
        [
            "--root", _harness.Path("podman", "root"), "--runroot", _harness.Path("podman", "run"),
            "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs",
        ];
        await ExternalTools.RunCheckedAsync(podman, [.. store, "pull", "--quiet", "--tls-verify=false", reference], cancellationToken: Cancellation);
        var inspect = await ExternalTools.RunCheckedAsync(podman, [.. store, "image", "inspect", reference], cancellationToken: Cancellation);
        using var json = JsonDocument.Parse(inspect.StandardOutput);
        var manifest = await BuildHarness.ManifestAsync(reference[..reference.LastIndexOf(':')] + "@" + imageDigest);
        Assert.Equal(manifest.GetProperty("config").GetProperty("digest").GetString(), "sha256:" + json.RootElement[0].GetProperty("Id").GetString());
        Assert.NotEqual("unknown", json.RootElement[0].GetProperty("Architecture").GetString());
    }
}
