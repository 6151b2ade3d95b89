using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Attestations;

/// <summary>
/// The default attestations, as buildx's: a pushed build gets <c>min</c> provenance in an index beside the unchanged
/// image, which podman still pulls and runs and skopeo still copies; a tarball-only build gets none; an OCI layout of
/// a Docker-format build keeps its attestations, made about the converted manifest.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class DefaultProvenanceTests(RegistryFixture registry) : IDisposable
{
    private const string Provenance = "https://slsa.dev/provenance/v1";
    private readonly BuildHarness _harness = new(registry);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task A_pushed_build_is_attested_by_default_and_podman_runs_it_and_skopeo_copies_it()
    {
        await WriteContextAsync(dockerBase: false, "hello from an attested image\n", "CMD [\"cat\", \"/hello.txt\"]\n");
        var reference = _harness.NewReference("default");
        var plainReference = _harness.NewReference("plain");
        var digestFile = _harness.Path("digest");
        var nameFile = _harness.Path("name-with-digest");

        var attested = await _harness.BuildAsync(_harness.Request(reference) with
        {
            Reproducible = true,
            DigestFile = digestFile,
            ImageNameWithDigestFile = nameFile,
            Attestations = new AttestationOptions(),
        });
        var plain = await _harness.BuildAsync(_harness.Request(plainReference) with { Reproducible = true });

        // The image is the one a build without attestations pushes; the tag, the digest files and skopeo name the index.
        var imageDigest = Assert.Single(attested.Images).Digest.ToString();
        Assert.Equal(plain.Digest.ToString(), imageDigest);
        Assert.NotEqual(imageDigest, attested.Digest.ToString());
        Assert.Equal(attested.Digest.ToString(), (await File.ReadAllTextAsync(digestFile, Cancellation)).Trim());
        Assert.EndsWith("@" + attested.Digest, (await File.ReadAllTextAsync(nameFile, Cancellation)).Trim(), StringComparison.Ordinal);
        Assert.Equal(attested.Digest.ToString(), await SkopeoDigestAsync(reference));

        // min provenance alone, no SBOM, in a BuildKit attestation manifest for unknown/unknown.
        var index = await BuildHarness.ManifestAsync(reference);
        var entries = index.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(imageDigest, entries[0].GetProperty("digest").GetString());
        Assert.Equal("unknown", entries[1].GetProperty("platform").GetProperty("os").GetString());
        Assert.Equal(imageDigest, entries[1].GetProperty("annotations").GetProperty("vnd.docker.reference.digest").GetString());
        var attestation = await BuildHarness.ManifestAsync(Repository(reference) + "@" + entries[1].GetProperty("digest").GetString());
        var layer = Assert.Single(attestation.GetProperty("layers").EnumerateArray());
        Assert.Equal(Provenance, layer.GetProperty("annotations").GetProperty("in-toto.io/predicate-type").GetString());

        // podman pulls the tag, picks the image by platform and runs it; skopeo copies the image and the whole index.
        Assert.Equal("hello from an attested image\n", await PodmanRunAsync(reference));
        var layout = _harness.Path("copied-layout");
        await Skopeo.RunCheckedAsync(["copy", "--quiet", "--src-tls-verify=false", "docker://" + reference, $"oci:{layout}:image"], Cancellation);
        var copied = _harness.NewReference("copied");
        await Skopeo.RunCheckedAsync(
            ["copy", "--quiet", "--all", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false", "docker://" + reference, "docker://" + copied],
            Cancellation);
        Assert.Equal(attested.Digest.ToString(), await SkopeoDigestAsync(copied));
    }

    [Fact]
    public async Task Provenance_false_pushes_the_image_manifest_alone_and_a_tarball_only_build_has_no_default_provenance()
    {
        await WriteContextAsync(dockerBase: false, "hello\n");
        var reference = _harness.NewReference("off");

        var off = await _harness.BuildAsync(_harness.Request(reference) with { Attestations = new AttestationOptions().WithProvenance("false") });
        var tarOnly = await _harness.BuildAsync(_harness.Request(reference) with
        {
            NoPush = true,
            TarPath = _harness.Path("image.tar"),
            Attestations = new AttestationOptions(),
        });

        Assert.Equal(Assert.Single(off.Images).Digest, off.Digest);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", (await BuildHarness.ManifestAsync(reference)).GetProperty("mediaType").GetString());
        Assert.Equal(Assert.Single(tarOnly.Images).Digest, tarOnly.Digest);
        Assert.DoesNotContain(_harness.Events.OfType<MessageEvent>(), e => e.Text.Contains(Provenance, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_OCI_layout_of_a_Docker_format_build_keeps_its_attestations_about_the_converted_manifest()
    {
        await WriteContextAsync(dockerBase: true, "hello\n");
        var reference = _harness.NewReference("layout");
        var layout = _harness.Path("layout");
        var provenanceFile = _harness.Path("provenance.jsonl");

        var result = await _harness.BuildAsync(_harness.Request(reference) with
        {
            Reproducible = true,
            OciLayoutPath = layout,
            Attestations = new AttestationOptions { Sbom = true, ProvenanceFile = provenanceFile },
        });

        // Pushed: the Docker-format image with statements about its digest.
        var pushedImage = Assert.Single(result.Images).Digest.ToString();
        var pushed = await BuildHarness.ManifestAsync(reference);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", pushed.GetProperty("manifests")[0].GetProperty("mediaType").GetString());
        Assert.Equal(pushedImage, SubjectDigest(Assert.Single(AttestationTruth.Statements(provenanceFile))));

        // The layout: the image in OCI media types, and an attestation manifest that names it, with the same
        // statements about the converted digest.
        Assert.NotNull(result.OciLayoutDigest);
        var layoutIndex = LayoutJson(layout, result.OciLayoutDigest!.Value.ToString());
        Assert.Equal("application/vnd.oci.image.index.v1+json", layoutIndex.GetProperty("mediaType").GetString());
        var entries = layoutIndex.GetProperty("manifests").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", entries[0].GetProperty("mediaType").GetString());
        var converted = entries[0].GetProperty("digest").GetString()!;
        Assert.NotEqual(pushedImage, converted);
        Assert.Equal("attestation-manifest", entries[1].GetProperty("annotations").GetProperty("vnd.docker.reference.type").GetString());
        Assert.Equal(converted, entries[1].GetProperty("annotations").GetProperty("vnd.docker.reference.digest").GetString());
        var attestation = LayoutJson(layout, entries[1].GetProperty("digest").GetString()!);
        var layers = attestation.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(["https://spdx.dev/Document", Provenance], layers.Select(l => l.GetProperty("annotations").GetProperty("in-toto.io/predicate-type").GetString()));
        foreach (var layer in layers)
        {
            var statement = LayoutJson(layout, layer.GetProperty("digest").GetString()!);
            Assert.Equal(converted, SubjectDigest(statement));
        }

        // skopeo's oci: transport still reads the image from the layout.
        var tag = reference[(reference.LastIndexOf(':') + 1)..];
        await Skopeo.RunCheckedAsync(["inspect", "--raw", $"oci:{layout}:{tag}"], Cancellation);
        await Skopeo.RunCheckedAsync(["copy", "--quiet", $"oci:{layout}:{tag}", $"oci:{_harness.Path("recopied")}:image"], Cancellation);
    }

    // A context that copies hello.txt onto busybox, pushed with OCI or (dockerBase) Docker schema 2 media types.
    private async Task WriteContextAsync(bool dockerBase, string hello, string more = "")
    {
        var busybox = await BaseImages.PushBusyboxAsync(registry, Cancellation);
        _harness.Write("Dockerfile", $"FROM {(dockerBase ? busybox.DockerV2Reference : busybox.Reference)}\nCOPY hello.txt /hello.txt\n{more}");
        _harness.Write("hello.txt", hello);
    }

    private static string Repository(string reference) => reference[..reference.LastIndexOf(':')];

    private static string SubjectDigest(JsonElement statement) =>
        "sha256:" + Assert.Single(statement.GetProperty("subject").EnumerateArray()).GetProperty("digest").GetProperty("sha256").GetString();

    private static JsonElement LayoutJson(string layout, string digest)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..])));
        return document.RootElement.Clone();
    }

    private static async Task<string> SkopeoDigestAsync(string reference) =>
        (await Skopeo.RunCheckedAsync(["inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + reference], Cancellation)).StandardOutput.Trim();

    // podman in a private store: runc where installed (crun refuses the hybrid cgroups of CI containers), and limits
    // below the machine's, which an unprivileged runtime may not raise.
    private async Task<string> PodmanRunAsync(string reference)
    {
        var podman = TestRequirements.Executable("podman");
        List<string> arguments = ExternalTools.Find("runc") is { } runc ? ["--runtime", runc] : [];
        arguments.AddRange(
        [
            "--root", _harness.Path("podman", "root"), "--runroot", _harness.Path("podman", "run"),
            "--storage-driver", "vfs", "--events-backend", "none", "--cgroup-manager", "cgroupfs",
            "run", "--rm", "--tls-verify=false", "--network=none", "--ulimit=nofile=8192:8192", "--ulimit=nproc=8192:8192", reference,
        ]);
        var run = await ExternalTools.RunCheckedAsync(podman, arguments, cancellationToken: Cancellation);
        return run.StandardOutput;
    }
}
