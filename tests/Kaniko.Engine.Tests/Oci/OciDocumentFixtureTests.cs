using System.Text;
using Kaniko.Testing;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

/// <summary>The project's own documents in TestData/Oci, independent of the shared conformance folder.</summary>
public sealed class OciDocumentFixtureTests
{
    public static TheoryData<string> Cases => OciTestData.FirstColumn("cases.tsv");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_bytes_hash_to_their_pinned_digest(string file)
    {
        var row = OciTestData.Row("cases.tsv", file);

        Assert.Equal(Digest.Parse(row[3]), Digest.Compute(OciTestData.Read(file)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_is_valid_or_invalid_as_listed(string file)
    {
        var row = OciTestData.Row("cases.tsv", file);
        var errors = OciDocumentValidator.Validate(OciTestData.Read(file), new MediaType(row[1]));

        if (row[2] == "valid")
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(errors, e => e.Path == row[4]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Valid_fixture_survives_a_round_trip(string file)
    {
        var row = OciTestData.Row("cases.tsv", file);
        if (row[2] != "valid")
        {
            return;
        }

        Assert.Null(OciTestData.RoundTripProblem(OciTestData.Read(file), new MediaType(row[1])));
    }

    [Fact]
    public void Manifest_keeps_unknown_fields_and_reads_layer_types()
    {
        var raw = RawJson<ImageManifest>.Parse(OciTestData.Read("manifest-oci.json"));
        var manifest = raw.Value;

        Assert.Equal(2, manifest.SchemaVersion);
        Assert.Equal(MediaType.OciManifest, manifest.MediaType);
        Assert.Equal(MediaType.OciConfig, manifest.Config.MediaType);
        Assert.Equal(1024, manifest.Config.Size);
        Assert.True(manifest.Layers[0].MediaType.IsGzip);
        Assert.True(manifest.Layers[1].MediaType.IsZstd);
        Assert.Equal("app.tar.zst", manifest.Layers[1].Annotations!["org.opencontainers.image.title"]);
        Assert.Contains("x-kaniko-fixture", manifest.AdditionalProperties!.Keys);
        Assert.Contains("\"x-kaniko-fixture\":{\"kept\":[1,2,3]}", RawJson<ImageManifest>.Serialize(manifest).ToString(), StringComparison.Ordinal);
        Assert.Equal(Digest.Parse(OciTestData.Row("cases.tsv", "manifest-oci.json")[3]), raw.Digest);
    }

    [Fact]
    public void Index_entries_are_selected_by_platform()
    {
        var index = RawJson<ImageIndex>.Parse(OciTestData.Read("index-oci.json")).Value;

        Descriptor? Select(string platform) => index.FindManifest(Platform.Parse(platform));

        Assert.Equal('a', Select("linux/amd64")!.Digest.Encoded[0]);
        Assert.Equal('b', Select("linux/arm64")!.Digest.Encoded[0]);
        Assert.Equal('b', Select("linux/aarch64")!.Digest.Encoded[0]);
        Assert.Equal('c', Select("linux/arm")!.Digest.Encoded[0]);
        Assert.Null(Select("linux/s390x"));
        Assert.Equal("attestation-manifest", index.Manifests[3].Annotations!["vnd.docker.reference.type"]);
    }

    [Fact]
    public void Config_reads_every_container_setting()
    {
        var config = RawJson<ImageConfigFile>.Parse(OciTestData.Read("config-oci.json")).Value;
        var container = config.Config!;

        Assert.Equal("2026-01-02T03:04:05.123456789Z", config.Created);
        Assert.Equal("linux/arm64/v8", config.Platform.ToString());
        Assert.Equal("app", container.User);
        Assert.Equal(["53/udp", "8080/tcp"], container.ExposedPorts!.Order(StringComparer.Ordinal));
        Assert.Equal(["PATH=/usr/local/bin:/usr/bin:/bin", "EMPTY=", "WITH_EQUALS=a=b"], container.Env!);
        Assert.Equal(["dotnet", "app.dll"], container.Entrypoint!);
        Assert.NotNull(container.Cmd);
        Assert.Empty(container.Cmd);
        Assert.Equal(["/data"], container.Volumes!);
        Assert.Equal("/app", container.WorkingDir);
        Assert.Equal("SIGTERM", container.StopSignal);
        Assert.Equal(["CMD-SHELL", "curl -f http://127.0.0.1:8080/ || exit 1"], container.Healthcheck!.Test!);
        Assert.Equal(30_000_000_000, container.Healthcheck.Interval);
        Assert.Equal(3, container.Healthcheck.Retries);
        Assert.Equal(["RUN echo child"], container.OnBuild!);
        Assert.Equal(["/bin/bash", "-c"], container.Shell!);
        Assert.Contains("Hostname", container.AdditionalProperties!.Keys);
        Assert.Contains("docker_version", config.AdditionalProperties!.Keys);
        Assert.Equal(2, config.RootFs.DiffIds.Count);
        Assert.True(config.History![1].EmptyLayer);
        Assert.Equal("tests", config.History[2].Author);

        // Labels are written sorted by key, as Go writes maps, whatever order they were read in.
        Assert.Contains("\"Labels\":{\"a.first\":\"1\",\"b.second\":\"2\"}", RawJson<ImageConfigFile>.Serialize(config).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_manifest_and_list_read_as_the_oci_shapes()
    {
        var manifest = RawJson<ImageManifest>.Parse(OciTestData.Read("manifest-docker.json")).Value;
        var list = RawJson<ImageIndex>.Parse(OciTestData.Read("manifest-list-docker.json")).Value;

        Assert.Equal(MediaType.DockerManifest, manifest.MediaType);
        Assert.Equal(MediaType.DockerConfig, manifest.Config.MediaType);
        Assert.True(manifest.Layers[1].MediaType.IsForeign);
        Assert.Equal(["https://127.0.0.1:5000/foreign/layer"], manifest.Layers[1].Urls!);
        Assert.Equal(MediaType.DockerManifestList, list.MediaType);
        Assert.Equal(["sse4"], list.Manifests[0].Platform!.Features!);
        Assert.Equal("10.0.17763.1234", list.Manifests[1].Platform!.OsVersion);
    }

    [Fact]
    public void Descriptor_data_is_decoded()
    {
        var descriptor = RawJson<Descriptor>.Parse(OciTestData.Read("descriptor-embedded-data.json")).Value;

        Assert.Equal("hello world\n", Encoding.UTF8.GetString(descriptor.Data!));
        Assert.Equal(Digest.Compute(descriptor.Data), descriptor.Digest);
    }

    [Fact]
    public void EnsureValid_throws_code_3007_listing_the_broken_rules()
    {
        var error = Assert.Throws<KanikoException>(() => OciDocumentValidator.EnsureValid(
            OciTestData.Read("invalid-config-env-without-equals.json"), MediaType.OciConfig, "config.json"));

        Assert.Equal(DiagnosticCodes.InvalidDocument, error.Code);
        Assert.Equal(
            "config.json is not a valid application/vnd.oci.image.config.v1+json: $.config.Env[0]: \"=value\" is not of the form NAME=value",
            error.Message);
    }

    [Fact]
    public void Validator_refuses_media_types_it_has_no_rules_for()
    {
        Assert.False(OciDocumentValidator.CanValidate(MediaType.OciLayerGzip));
        Assert.Throws<ArgumentException>(() => OciDocumentValidator.Validate("{}"u8, MediaType.OciLayerGzip));
    }

    [Fact]
    public void Docker_configs_treat_null_as_absent_but_oci_configs_do_not()
    {
        var json = """{"architecture":"amd64","os":"linux","config":{"Env":null,"ExposedPorts":null},"rootfs":{"type":"layers","diff_ids":[]}}"""u8;

        Assert.Empty(OciDocumentValidator.Validate(json, MediaType.DockerConfig));
        Assert.Equal(
            ["$.config.ExposedPorts", "$.config.Env"],
            OciDocumentValidator.Validate(json, MediaType.OciConfig).Select(e => e.Path).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void Docker_manifests_may_have_no_layers_but_oci_manifests_may_not()
    {
        var docker = """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"""u8;
        var oci = """{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"""u8;

        Assert.Empty(OciDocumentValidator.Validate(docker, MediaType.DockerManifest));
        Assert.Equal("$.layers", Assert.Single(OciDocumentValidator.Validate(oci, MediaType.OciManifest)).Path);
    }
}
