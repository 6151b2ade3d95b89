using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Tests.Oci;

public sealed class ImageReferenceTests
{
    public static TheoryData<string> References => OciTestData.FirstColumn("references.tsv");

    [Theory]
    [MemberData(nameof(References))]
    public void Parses_as_the_table_says(string input)
    {
        var row = OciTestData.Row("references.tsv", input);
        if (row[1] == "!error")
        {
            var error = Assert.Throws<KanikoException>(() => ImageReference.Parse(input));
            Assert.Equal(DiagnosticCodes.InvalidImageReference, error.Code);
            Assert.StartsWith($"invalid image reference \"{input}\": ", error.Message, StringComparison.Ordinal);
            Assert.Contains(row[2], error.Message, StringComparison.Ordinal);
            Assert.False(ImageReference.TryParse(input, out _, out _));
            return;
        }

        var reference = ImageReference.Parse(input);
        Assert.Equal(row[1], reference.Registry);
        Assert.Equal(row[2], reference.Repository);
        Assert.Equal(row[3].Length == 0 ? null : row[3], reference.Tag);
        Assert.Equal(row[4].Length == 0 ? null : Digest.Parse(row[4]), reference.Digest);
        Assert.Equal(row[5], reference.ToString());
        Assert.Equal(row[6], reference.ToFamiliarString());
        Assert.Equal(row[1] + "/" + row[2], reference.Context);

        // The canonical form is a fixed point.
        Assert.Equal(reference, ImageReference.Parse(reference.ToString()));
        Assert.Equal(reference, ImageReference.Parse(reference.ToFamiliarString()));
    }

    [Fact]
    public void Context_names_the_repository_on_its_registry()
    {
        var reference = ImageReference.Parse("ubuntu");

        Assert.Equal("docker.io/library/ubuntu", reference.Context);
        Assert.True(reference.IsDockerHub);
        Assert.False(ImageReference.Parse("localhost:5000/ubuntu").IsDockerHub);
    }

    [Fact]
    public void WithTag_and_WithDigest_replace_the_version()
    {
        var digest = Digest.Compute("x"u8);
        var reference = ImageReference.Parse("127.0.0.1:5000/app:1@" + Digest.EmptySha256);

        Assert.Equal("127.0.0.1:5000/app:2", reference.WithTag("2").ToString());
        Assert.Equal("127.0.0.1:5000/app@" + digest, reference.WithDigest(digest).ToString());
        Assert.Equal(DiagnosticCodes.InvalidImageReference, Assert.Throws<KanikoException>(() => reference.WithTag("-bad")).Code);
    }

    [Fact]
    public void The_table_has_enough_cases()
    {
        Assert.True(References.Count >= 50);
    }
}
