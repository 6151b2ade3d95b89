using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class DigestVerifyingStreamTests
{
    private static readonly byte[] Content = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31)).ToArray();

    private static Descriptor Expected => Descriptor.For(MediaType.OciLayerGzip, Content);

    [Fact]
    public void Good_content_reads_through_and_is_verified()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Content), Expected);
        using var copy = new MemoryStream();

        stream.CopyTo(copy);

        Assert.Equal(Content, copy.ToArray());
        Assert.True(stream.IsVerified);
        Assert.Equal(Content.Length, stream.BytesRead);
        Assert.Equal(0, stream.Read(new byte[10]));
    }

    [Fact]
    public async Task Good_content_reads_through_asynchronously_in_small_pieces()
    {
        await using var stream = new DigestVerifyingStream(new MemoryStream(Content), Expected.Digest, Content.Length);
        var buffer = new byte[7];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            total += read;
        }

        Assert.Equal(Content.Length, total);
        Assert.True(stream.IsVerified);
    }

    [Fact]
    public void Wrong_digest_fails_at_the_end_with_code_3008()
    {
        var tampered = (byte[])Content.Clone();
        tampered[^1] ^= 0xFF;
        using var stream = new DigestVerifyingStream(new MemoryStream(tampered), Expected);

        var error = Assert.Throws<KanikoException>(() => stream.CopyTo(Stream.Null));

        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, error.Code);
        Assert.Contains(Expected.Digest.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(Digest.Compute(tampered).ToString(), error.Message, StringComparison.Ordinal);
        Assert.False(stream.IsVerified);
    }

    [Fact]
    public void Truncated_content_fails_with_code_3009()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Content[..^1]), Expected);

        var error = Assert.Throws<KanikoException>(() => stream.CopyTo(Stream.Null));

        Assert.Equal(DiagnosticCodes.ContentSizeMismatch, error.Code);
        Assert.Contains($"ended after {Content.Length - 1} bytes, expected {Content.Length}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_content_fails_as_soon_as_the_extra_byte_arrives()
    {
        var longer = Content.Concat(new byte[] { 1, 2, 3 }).ToArray();
        using var stream = new DigestVerifyingStream(new MemoryStream(longer), Expected);
        var buffer = new byte[Content.Length];

        // Exactly the expected bytes are fine; the next read brings more and must fail before returning them.
        stream.ReadExactly(buffer);
        var error = Assert.Throws<KanikoException>(() => stream.Read(new byte[10]));

        Assert.Equal(DiagnosticCodes.ContentSizeMismatch, error.Code);
        Assert.Contains("longer than the 100000 bytes expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_size_checks_only_the_digest()
    {
        using var good = new DigestVerifyingStream(new MemoryStream(Content), Expected.Digest, expectedSize: null);
        good.CopyTo(Stream.Null);
        Assert.True(good.IsVerified);

        using var bad = new DigestVerifyingStream(new MemoryStream(Content[..10]), Expected.Digest, expectedSize: null);
        Assert.Equal(DiagnosticCodes.ContentDigestMismatch, Assert.Throws<KanikoException>(() => bad.CopyTo(Stream.Null)).Code);
    }

    [Fact]
    public void Empty_content_is_verified_against_the_empty_digest()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(), Digest.EmptySha256, 0);

        Assert.Equal(0, stream.Read(new byte[1]));
        Assert.True(stream.IsVerified);
    }

    [Fact]
    public void A_zero_length_read_is_not_the_end_of_the_stream()
    {
        using var stream = new DigestVerifyingStream(new MemoryStream(Content), Expected);

        Assert.Equal(0, stream.Read(Span<byte>.Empty));
        Assert.False(stream.IsVerified);
    }

    [Fact]
    public void Sha512_content_is_verified_too()
    {
        var digest = Digest.Compute(Content, Digest.Sha512);
        using var stream = new DigestVerifyingStream(new MemoryStream(Content), digest, Content.Length);

        stream.CopyTo(Stream.Null);

        Assert.True(stream.IsVerified);
    }

    [Fact]
    public void An_unsupported_algorithm_is_refused_up_front_with_code_3003()
    {
        var digest = Digest.Parse("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564");

        var error = Assert.Throws<KanikoException>(() => new DigestVerifyingStream(new MemoryStream(Content), digest, null));

        Assert.Equal(DiagnosticCodes.UnsupportedDigestAlgorithm, error.Code);
    }

    [Fact]
    public void The_stream_is_read_only_and_forward_only()
    {
        using var inner = new MemoryStream(Content);
        using (var stream = new DigestVerifyingStream(inner, Expected, leaveOpen: true))
        {
            Assert.True(stream.CanRead);
            Assert.False(stream.CanSeek);
            Assert.False(stream.CanWrite);
            Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
            Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1]));
        }

        Assert.True(inner.CanRead);
    }
}
