using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Fetching;
using Kaniko.Engine.Oci;
using Kaniko.Testing;
using Xunit;

namespace Kaniko.Engine.Tests.Execution.Add;

public sealed class HttpSourceFetcherTests : IDisposable
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("payload of the download\n");
    private readonly TempDirectory _temp = new();
    private readonly HttpClient _client = new();

    public void Dispose()
    {
        _client.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_download_with_the_right_checksum_is_kept_with_its_metadata()
    {
        await using var server = new RawHttpServer(_ => new Respond(200, Payload, LastModified("Wed, 21 Oct 2015 07:28:00 GMT")));
        var url = server.BaseUrl + "/files/tool-1.2.tar.gz?x=1";

        var file = await Fetcher().FetchAsync(url, Digest.Compute(Payload), _temp.Combine("dl"), TestContext.Current.CancellationToken);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(file.HostPath, TestContext.Current.CancellationToken));
        Assert.Equal("tool-1.2.tar.gz", file.FileName);
        Assert.Equal(new DateTimeOffset(2015, 10, 21, 7, 28, 0, TimeSpan.Zero), file.ModificationTime);
        Assert.Equal(Payload.Length, file.Size);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.HostPath));
        }

        var intoFolder = file.ToLayerEntry("/opt/");
        Assert.Equal(("/opt/tool-1.2.tar.gz", DownloadedFile.DefaultMode, 0, 0), (intoFolder.Path, intoFolder.Mode, intoFolder.Uid, intoFolder.Gid));
        Assert.Equal(file.ModificationTime, intoFolder.ModificationTime);
        Assert.Equal("/opt/renamed", file.ToLayerEntry("/opt/renamed").Path);
    }

    [Fact]
    public async Task Without_last_modified_the_time_is_the_epoch_and_redirects_are_followed()
    {
        await using var server = new RawHttpServer(request => request.Target == "/old"
            ? Respond.Empty(302, ("Location", "/new/"))
            : new Respond(200, Payload));

        var file = await Fetcher().FetchAsync(server.BaseUrl + "/old", null, _temp.Combine("dl"), TestContext.Current.CancellationToken);

        Assert.Equal(DateTimeOffset.UnixEpoch, file.ModificationTime);
        Assert.Equal(Digest.Compute(Payload), file.Digest);
        Assert.Equal("old", file.FileName);
        Assert.Contains(server.Requests, r => r.Target == "/new/");
    }

    [Fact]
    public async Task A_wrong_checksum_names_the_url_and_both_digests_and_leaves_no_file()
    {
        await using var server = new RawHttpServer(_ => new Respond(200, Payload));
        var expected = Digest.Compute("something else"u8);
        var url = server.BaseUrl + "/file.bin";

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            Fetcher().FetchAsync(url, expected, _temp.Combine("dl"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.HttpSourceChecksumMismatch, error.Code);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains(Digest.Compute(Payload).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("(expected: " + expected + ")", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Combine("dl")));
    }

    [Fact]
    public async Task A_missing_file_is_an_error_with_the_status_and_is_not_retried()
    {
        await using var server = new RawHttpServer(_ => Respond.Text(404, "not here"));
        var url = server.BaseUrl + "/missing.txt";

        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            Fetcher().FetchAsync(url, null, _temp.Combine("dl"), TestContext.Current.CancellationToken));

        Assert.Equal(DiagnosticCodes.HttpSourceFailed, error.Code);
        Assert.Equal($"cannot download {url}: invalid response status 404", error.Message);
        Assert.Single(server.Requests);
        Assert.Empty(Directory.GetFiles(_temp.Combine("dl")));
    }

    [Fact]
    public async Task Server_errors_resets_and_short_bodies_are_retried()
    {
        var calls = 0;
        await using var server = new RawHttpServer(_ => Interlocked.Increment(ref calls) switch
        {
            1 => Respond.Text(503, "busy"),
            2 => new ResetConnection(),
            3 => new Respond(200, Payload[..5], DeclaredLength: Payload.Length),
            _ => new Respond(200, Payload),
        });

        var file = await Fetcher(attempts: 4).FetchAsync(server.BaseUrl + "/flaky", null, _temp.Combine("dl"), TestContext.Current.CancellationToken);
        Assert.Equal(Payload.Length, file.Size);
        Assert.Equal(4, calls);

        await using var down = new RawHttpServer(_ => Respond.Text(500, "down"));
        var error = await Assert.ThrowsAsync<KanikoException>(() =>
            Fetcher().FetchAsync(down.BaseUrl + "/x", null, _temp.Combine("dl2"), TestContext.Current.CancellationToken));
        Assert.EndsWith("invalid response status 500", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, down.Requests.Count);
    }

    [Fact]
    public async Task A_downloaded_archive_can_be_unpacked_when_asked()
    {
        var archive = new TarBuilder().File("bin/tool", "#!/bin/sh\n", (UnixFileMode)0x1ED).ToTarGz();
        await using var server = new RawHttpServer(_ => new Respond(200, archive));

        var file = await Fetcher().FetchAsync(server.BaseUrl + "/tool.tgz", Digest.Compute(archive), _temp.Combine("dl"), TestContext.Current.CancellationToken);

        Assert.True(ArchiveDetector.IsArchive(file.HostPath));
        var entries = await new ArchiveExtractor(_temp.Combine("scratch")).ExtractAsync(file.HostPath, "/usr/local", TestContext.Current.CancellationToken);
        Assert.Equal("usr/local/bin/tool", Assert.Single(entries).Path);
    }

    public static TheoryData<string, string> FileNames => new()
    {
        { "http://h/a/b/file.txt", "file.txt" },
        { "http://h/a/b/", "b" },
        { "http://h/", "__unnamed__" },
        { "http://h", "__unnamed__" },
        { "https://h/x%20y.zip?q=1#frag", "x y.zip" },
    };

    [Theory]
    [MemberData(nameof(FileNames))]
    public void The_file_name_is_the_last_segment_of_the_url_path(string url, string expected) =>
        Assert.Equal(expected, HttpSourceFetcher.FileNameOf(url));

    [Theory]
    [InlineData("md5:abc")]
    [InlineData("sha256:xyz")]
    [InlineData("nothing")]
    public void Bad_checksums_are_refused(string checksum) =>
        Assert.Equal(DiagnosticCodes.InvalidAddChecksum, Assert.Throws<KanikoException>(() => HttpSourceFetcher.ParseChecksum(checksum)).Code);

    [Theory]
    [InlineData("https://h/file.tar.gz", true)]
    [InlineData("http://h/repo.git", false)]
    [InlineData("ftp://h/file", false)]
    [InlineData("file.txt", false)]
    public void Http_sources_are_urls_that_are_not_git_repositories(string source, bool expected) =>
        Assert.Equal(expected, HttpSourceFetcher.IsHttpSource(source));

    private HttpSourceFetcher Fetcher(int attempts = 3) => new(_client, attempts, retryDelay: TimeSpan.FromMilliseconds(10));

    private static Dictionary<string, string> LastModified(string value) => new() { ["Last-Modified"] = value };
}
