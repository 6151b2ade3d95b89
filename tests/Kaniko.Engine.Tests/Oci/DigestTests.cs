using System.Text;
using System.Text.Json;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class DigestTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string AbcSha256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string EmptySha512 =
        "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

    [Theory]
    [InlineData(EmptySha256, "sha256", true)]
    [InlineData(EmptySha512, "sha512", true)]
    [InlineData("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "sha256+b64u", false)]
    [InlineData("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "multihash+base58", false)]
    [InlineData("sha256.foo-bar:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b", "sha256.foo-bar", false)]
    public void Parse_accepts_the_spec_grammar(string text, string algorithm, bool supported)
    {
        var digest = Digest.Parse(text);

        Assert.Equal(algorithm, digest.Algorithm);
        Assert.Equal(text, digest.ToString());
        Assert.Equal(supported, digest.IsSupported);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256")]
    [InlineData(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256+foo+-b:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b")]
    [InlineData("+sha256:abc")]
    [InlineData("sha256+:abc")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e!")]
    [InlineData("md5:has space")]
    public void Parse_rejects_malformed_digests_with_code_3002(string text)
    {
        var error = Assert.Throws<KanikoException>(() => Digest.Parse(text));

        Assert.Equal(DiagnosticCodes.InvalidDigest, error.Code);
        Assert.Contains($"\"{text}\"", error.Message, StringComparison.Ordinal);
        Assert.False(Digest.TryParse(text, out _));
    }

    [Fact]
    public void Compute_gives_the_known_vectors()
    {
        Assert.Equal(EmptySha256, Digest.Compute([]).ToString());
        Assert.Equal(AbcSha256, Digest.Compute("abc"u8).ToString());
        Assert.Equal(EmptySha512, Digest.Compute([], Digest.Sha512).ToString());
        Assert.Equal(Digest.EmptySha256, Digest.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void Compute_rejects_an_unsupported_algorithm_with_code_3003()
    {
        var error = Assert.Throws<KanikoException>(() => Digest.Compute("abc"u8, "md5"));

        Assert.Equal(DiagnosticCodes.UnsupportedDigestAlgorithm, error.Code);
    }

    [Fact]
    public void Hasher_fed_in_pieces_equals_the_one_shot_digest()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("layer bytes ", 10_000)));
        using var hasher = DigestHasher.Create();
        for (var offset = 0; offset < data.Length; offset += 4093)
        {
            hasher.Append(data.AsSpan(offset, Math.Min(4093, data.Length - offset)));
        }

        Assert.Equal(Digest.Compute(data), hasher.GetDigest());
        Assert.Equal(data.Length, hasher.BytesHashed);
    }

    [Fact]
    public void Hasher_can_report_a_digest_midway_and_continue()
    {
        using var hasher = DigestHasher.Create(Digest.Sha512);
        hasher.Append("ab"u8);
        Assert.Equal(Digest.Compute("ab"u8, Digest.Sha512), hasher.GetDigest());
        hasher.Append("c"u8);
        Assert.Equal(Digest.Compute("abc"u8, Digest.Sha512), hasher.GetDigest());
    }

    [Fact]
    public async Task ComputeAsync_hashes_a_stream()
    {
        using var stream = new MemoryStream("abc"u8.ToArray());

        Assert.Equal(AbcSha256, (await Digest.ComputeAsync(stream, cancellationToken: TestContext.Current.CancellationToken)).ToString());
    }

    [Fact]
    public void Digests_compare_by_value()
    {
        Assert.Equal(Digest.Parse(AbcSha256), Digest.FromParts("sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        Assert.NotEqual(Digest.Parse(AbcSha256), Digest.Parse(EmptySha256));
        Assert.Equal(string.Empty, default(Digest).ToString());
    }

    [Fact]
    public void Json_converter_writes_the_string_and_rejects_bad_digests()
    {
        var descriptor = new Descriptor { MediaType = MediaType.OctetStream, Digest = Digest.Parse(AbcSha256), Size = 3 };
        var json = Encoding.UTF8.GetString(RawJson<Descriptor>.Serialize(descriptor).Bytes.Span);

        Assert.Equal($"{{\"mediaType\":\"application/octet-stream\",\"digest\":\"{AbcSha256}\",\"size\":3}}", json);
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize("{\"mediaType\":\"a/b\",\"digest\":\"sha256:nope\",\"size\":3}", OciJsonContext.Default.Descriptor));
    }
}
