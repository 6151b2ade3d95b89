using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Outputs;
using Kaniko.Testing;

namespace Kaniko.Engine.Tests.Outputs;

/// <summary>The formats are kaniko's (pkg/executor/push.go): bare digest; one REPOSITORY[:TAG]@DIGEST line per destination.</summary>
public sealed class DigestFileWriterTests : IDisposable
{
    private static readonly Digest ImageDigest = Digest.Parse("sha256:" + new string('a', 64));

    private static readonly ImageReference[] Destinations =
        [ImageReference.Parse("127.0.0.1:5000/foo/bar:123"), ImageReference.Parse("bob/image")];

    private readonly TempDirectory _work = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Digest_file_holds_the_digest_without_a_newline_and_its_folder_is_created()
    {
        var path = _work.Combine("out", "nested", "digest");

        await DigestFileWriter.WriteDigestAsync(path, ImageDigest, Cancellation);

        Assert.Equal("sha256:" + new string('a', 64), await File.ReadAllTextAsync(path, Cancellation));
    }

    [Fact]
    public async Task A_digest_file_that_is_a_device_is_written_in_place_not_replaced()
    {
        // A link to /dev/null: a rename would replace the link, so the link surviving shows the write went through it.
        var path = _work.Combine("to-null");
        File.CreateSymbolicLink(path, "/dev/null");

        await DigestFileWriter.WriteDigestAsync(path, ImageDigest, Cancellation);

        Assert.Equal("/dev/null", new FileInfo(path).LinkTarget);
        Assert.Empty(Directory.GetFiles(_work.Path, "*.partial"));
    }

    [Fact]
    public async Task Image_name_with_digest_has_one_repository_line_per_destination()
    {
        var path = _work.Combine("names");

        await DigestFileWriter.WriteImageNameWithDigestAsync(path, Destinations, ImageDigest, Cancellation);

        Assert.Equal(
            $"127.0.0.1:5000/foo/bar@{ImageDigest}\ndocker.io/bob/image@{ImageDigest}\n",
            await File.ReadAllTextAsync(path, Cancellation));
    }

    [Fact]
    public async Task Image_name_tag_with_digest_adds_the_tag_or_latest()
    {
        var path = _work.Combine("tags");

        await DigestFileWriter.WriteImageNameTagWithDigestAsync(path, Destinations, ImageDigest, Cancellation);

        Assert.Equal(
            $"127.0.0.1:5000/foo/bar:123@{ImageDigest}\ndocker.io/bob/image:latest@{ImageDigest}\n",
            await File.ReadAllTextAsync(path, Cancellation));
    }

    [Fact]
    public async Task Name_files_need_a_destination_and_fail_with_5004()
    {
        var error = await Assert.ThrowsAsync<KanikoException>(() => DigestFileWriter.WriteImageNameWithDigestAsync(_work.Combine("n"), [], ImageDigest, Cancellation));

        Assert.Equal(DiagnosticCodes.DigestFileNeedsDestination, error.Code);
        Assert.Contains("--image-name-with-digest-file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rewriting_replaces_the_old_content()
    {
        var path = _work.Combine("digest");
        await File.WriteAllTextAsync(path, "a much longer previous content that must disappear", Cancellation);

        await DigestFileWriter.WriteDigestAsync(path, ImageDigest, Cancellation);

        Assert.Equal(ImageDigest.ToString(), await File.ReadAllTextAsync(path, Cancellation));
    }
}
