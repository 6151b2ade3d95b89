using System.Text;
using Kaniko.Testing;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class RawJsonTests
{
    [Fact]
    public void Parse_keeps_the_exact_bytes_and_hashes_them()
    {
        // Spacing and key order that a re-serialisation would not reproduce.
        var bytes = Encoding.UTF8.GetBytes("{ \"layers\" : [],\n\t\"config\": {\"size\": 0, \"digest\": \"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\", \"mediaType\": \"application/vnd.oci.image.config.v1+json\"}, \"schemaVersion\": 2 }\n");

        var raw = RawJson<ImageManifest>.Parse(bytes);

        Assert.Equal(bytes, raw.Bytes.ToArray());
        Assert.Equal(Digest.Compute(bytes), raw.Digest);
        Assert.Equal(bytes.Length, raw.Size);
        Assert.NotEqual(bytes, RawJson<ImageManifest>.Serialize(raw.Value).Bytes.ToArray());
    }

    [Fact]
    public void Parse_copies_its_input()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}");
        var raw = RawJson<OciLayoutHeader>.Parse(bytes);

        bytes[2] = (byte)'X';

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", raw.ToString());
    }

    [Fact]
    public void Serialize_writes_once_compact_in_spec_order_without_nulls()
    {
        var manifest = new ImageManifest
        {
            MediaType = MediaType.OciManifest,
            Config = Descriptor.Empty,
            Layers = [new Descriptor { MediaType = MediaType.OciLayerGzip, Digest = Digest.EmptySha256, Size = 0 }],
            Annotations = new Dictionary<string, string> { ["z"] = "last", ["a"] = "first" },
            ArtifactType = new MediaType("application/vnd.example+type"),
        };

        var raw = RawJson<ImageManifest>.Serialize(manifest);

        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.example+type\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}],"
            + "\"annotations\":{\"a\":\"first\",\"z\":\"last\"}}",
            raw.ToString());
        Assert.Same(manifest, raw.Value);
        Assert.Equal(Digest.Compute(raw.Bytes.Span), raw.Digest);
        Assert.Empty(OciDocumentValidator.Validate(raw.Bytes.Span, MediaType.OciManifest));
    }

    [Fact]
    public void ToDescriptor_describes_the_bytes()
    {
        var raw = RawJson<OciLayoutHeader>.Serialize(new OciLayoutHeader());

        var descriptor = raw.ToDescriptor(MediaType.OciLayoutHeader);

        Assert.Equal(raw.Digest, descriptor.Digest);
        Assert.Equal(raw.Size, descriptor.Size);
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", raw.ToString());
    }

    [Fact]
    public void The_empty_descriptor_describes_two_bytes()
    {
        Assert.Equal(Descriptor.For(MediaType.OciEmpty, "{}"u8), Descriptor.Empty with { });
    }

    [Theory]
    [InlineData("{\"schemaVersion\":2,")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":2,\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":\"2\",\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\",\"size\":0}}")]
    [InlineData("{\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:E3B0\",\"size\":0}}")]
    public void Malformed_documents_fail_with_code_3006(string json)
    {
        var error = Assert.Throws<KanikoException>(() => RawJson<ImageManifest>.Parse(Encoding.UTF8.GetBytes(json), "manifest from a test"));

        Assert.Equal(DiagnosticCodes.MalformedDocument, error.Code);
        Assert.StartsWith("manifest from a test is not a well-formed application/vnd.oci.image.manifest.v1+json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatTimestamp_writes_go_rfc3339()
    {
        Assert.Equal("2026-01-02T03:04:05Z", ImageConfigFile.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero)));
        Assert.Equal(
            "2026-01-02T02:04:05.12Z",
            ImageConfigFile.FormatTimestamp(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 120, TimeSpan.FromHours(1))));
        Assert.Equal("1970-01-01T00:00:00Z", ImageConfigFile.FormatTimestamp(DateTimeOffset.UnixEpoch));
    }
}
