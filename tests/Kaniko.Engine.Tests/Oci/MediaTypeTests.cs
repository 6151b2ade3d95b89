using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class MediaTypeTests
{
    // media type | index manifest config layer gzip zstd foreign docker
    [Theory]
    [InlineData("application/vnd.oci.image.index.v1+json", "I")]
    [InlineData("application/vnd.docker.distribution.manifest.list.v2+json", "I D")]
    [InlineData("application/vnd.oci.image.manifest.v1+json", "M")]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json", "M D")]
    [InlineData("application/vnd.oci.image.config.v1+json", "C")]
    [InlineData("application/vnd.docker.container.image.v1+json", "C D")]
    [InlineData("application/vnd.oci.image.layer.v1.tar", "L")]
    [InlineData("application/vnd.oci.image.layer.v1.tar+gzip", "L G")]
    [InlineData("application/vnd.oci.image.layer.v1.tar+zstd", "L Z")]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar", "L F")]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", "L G F")]
    [InlineData("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", "L Z F")]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar.gzip", "L G D")]
    [InlineData("application/vnd.docker.image.rootfs.diff.tar", "L D")]
    [InlineData("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "L G F D")]
    [InlineData("application/vnd.oci.empty.v1+json", "")]
    [InlineData("application/vnd.example.data+gzip", "G")]
    [InlineData("application/octet-stream", "")]
    public void Predicates_classify_the_known_types(string value, string flags)
    {
        var mediaType = new MediaType(value);
        var expected = flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

        Assert.Equal(expected.Contains("I"), mediaType.IsIndex);
        Assert.Equal(expected.Contains("M"), mediaType.IsManifest);
        Assert.Equal(expected.Contains("C"), mediaType.IsConfig);
        Assert.Equal(expected.Contains("L"), mediaType.IsLayer);
        Assert.Equal(expected.Contains("G"), mediaType.IsGzip);
        Assert.Equal(expected.Contains("Z"), mediaType.IsZstd);
        Assert.Equal(expected.Contains("F"), mediaType.IsForeign);
        Assert.Equal(expected.Contains("D"), mediaType.IsDocker);
        Assert.True(mediaType.IsWellFormed);
    }

    [Theory]
    [InlineData("application")]
    [InlineData(".foo/bar")]
    [InlineData("foo/.bar")]
    [InlineData("foo/")]
    [InlineData("/bar")]
    [InlineData("a/b/c")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("")]
    public void Parse_rejects_malformed_types_with_code_3004(string value)
    {
        Assert.False(new MediaType(value).IsWellFormed);
        var error = Assert.Throws<KanikoException>(() => MediaType.Parse(value));
        Assert.Equal(DiagnosticCodes.InvalidMediaType, error.Code);
    }

    [Fact]
    public void Names_may_be_127_characters_but_not_128()
    {
        var longest = new string('a', 127);
        Assert.True(new MediaType(longest + "/" + longest).IsWellFormed);
        Assert.False(new MediaType(longest + "a/b").IsWellFormed);
    }

    [Fact]
    public void Equality_is_ordinal_and_default_is_empty()
    {
        Assert.Equal(MediaType.OciManifest, MediaType.Parse("application/vnd.oci.image.manifest.v1+json"));
        Assert.NotEqual(MediaType.OciManifest, new MediaType("application/vnd.oci.image.manifest.v1+JSON"));
        Assert.Equal(new MediaType(string.Empty), default);
        Assert.Equal(string.Empty, default(MediaType).ToString());
    }
}
