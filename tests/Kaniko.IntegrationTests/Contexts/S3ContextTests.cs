using System.Runtime.Versioning;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Kaniko.Cli.Contexts;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;
using Kaniko.Testing.Emulators;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary><c>s3://</c> contexts against s3rver on 127.0.0.1, through <c>S3_ENDPOINT</c> as kaniko users point at MinIO and the like.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class S3ContextTests(RegistryFixture registry, S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private const string WrongSecret = "wrong-secret-Zq7Xv3Lp9";

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_build_from_an_s3_archive_pushes_its_files()
    {
        var marker = "from s3 " + Guid.NewGuid().ToString("N");
        var context = await UploadAsync("dir/context.tar.gz", BucketContextRun.SampleContext(marker));
        var reference = _build.NewReference("ctx-s3");

        var run = await BucketContextRun.BuildAsync(_build, registry, context, reference, Environment());

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        await BucketContextRun.AssertImageHasGreetingAsync(_build, reference, marker);
    }

    [Fact]
    public async Task The_sdks_own_endpoint_variable_works_too()
    {
        var marker = "endpoint url " + Guid.NewGuid().ToString("N");
        var context = await UploadAsync("context.tar.gz", BucketContextRun.SampleContext(marker));
        var reference = _build.NewReference("ctx-s3-endpoint-url");
        var environment = new Dictionary<string, string>(Environment()) { ["AWS_ENDPOINT_URL_S3"] = s3.BaseAddress };
        environment.Remove("S3_ENDPOINT");

        var run = await BucketContextRun.BuildAsync(_build, registry, context, reference, environment);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        await BucketContextRun.AssertImageHasGreetingAsync(_build, reference, marker);
    }

    [Fact]
    public async Task A_wrong_key_is_access_denied_and_its_secret_never_printed()
    {
        var context = await UploadAsync("secret/context.tar.gz", BucketContextRun.SampleContext("x"));
        // s3rver knows one key and checks which key signs, so a key it does not know is the wrong credential here.
        var environment = new Dictionary<string, string>(Environment()) { ["AWS_ACCESS_KEY_ID"] = "KANIKOTESTKEY", ["AWS_SECRET_ACCESS_KEY"] = WrongSecret };

        var run = await BucketContextRun.BuildAsync(_build, registry, context, _build.NewReference("ctx-s3-denied"), environment);

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextAccessDenied, WrongSecret);
        Assert.Contains(context, run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_credentials_at_all_is_reported_as_such()
    {
        var context = await UploadAsync("nocreds/context.tar.gz", BucketContextRun.SampleContext("x"));
        var environment = new Dictionary<string, string>(Environment());
        environment.Remove("AWS_ACCESS_KEY_ID");
        environment.Remove("AWS_SECRET_ACCESS_KEY");

        var run = await BucketContextRun.BuildAsync(_build, registry, context, _build.NewReference("ctx-s3-nocreds"), environment);

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextCredentialsMissing);
    }

    [Fact]
    public async Task A_missing_object_or_bucket_is_not_found()
    {
        await UploadAsync("present.tar.gz", BucketContextRun.SampleContext("x"));
        var source = new S3ContextSource(Variables(Environment()));

        var missingObject = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"s3://{Bucket}/absent.tar.gz", d, BuildHarness.Cancellation));
        var missingBucket = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync("s3://no-such-bucket-kaniko/c.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingObject.Code);
        Assert.Contains($"s3://{Bucket}/absent.tar.gz", missingObject.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingBucket.Code);
    }

    [Fact]
    public async Task The_source_streams_the_object_as_stored()
    {
        var archive = BucketContextRun.TarGz(("big.bin", new string('k', 3 << 20)));
        var context = await UploadAsync("stream/context.tar.gz", archive);
        var source = new S3ContextSource(Variables(Environment()));
        using var destination = new MemoryStream();

        await source.FetchAsync(context, destination, BuildHarness.Cancellation);

        Assert.Equal(archive, destination.ToArray());
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unreachable()
    {
        var environment = new Dictionary<string, string>(Environment()) { ["S3_ENDPOINT"] = $"http://127.0.0.1:{BucketContextRun.ClosedPort()}" };
        var source = new S3ContextSource(Variables(environment));

        var error = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync("s3://bucket/context.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextStoreUnreachable, error.Code);
    }

    [Fact]
    public async Task Cancellation_stops_the_download()
    {
        var context = await UploadAsync("cancel/context.tar.gz", BucketContextRun.SampleContext("x"));
        var source = new S3ContextSource(Variables(Environment()));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.FetchAsync(context, new MemoryStream(), cancelled.Token));
    }

    private const string Bucket = "kaniko-contexts";

    private Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretAccessKey,
        ["S3_ENDPOINT"] = s3.BaseAddress,
        ["S3_FORCE_PATH_STYLE"] = "true",
    };

    private static Func<string, string?> Variables(IReadOnlyDictionary<string, string> environment) =>
        name => environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>Stores <paramref name="archive"/> as <paramref name="key"/> and returns its <c>s3://</c> address.</summary>
    private async Task<string> UploadAsync(string key, byte[] archive)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = s3.BaseAddress,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            // s3rver predates the SDK's default request checksums (aws-chunked uploads with trailers).
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        };
        using var client = new AmazonS3Client(new BasicAWSCredentials(S3rverFixture.AccessKeyId, S3rverFixture.SecretAccessKey), config);
        try
        {
            await client.PutBucketAsync(Bucket, BuildHarness.Cancellation);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyExists" or "BucketAlreadyOwnedByYou")
        {
            // Another test of the class made it.
        }

        await client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(archive), UseChunkEncoding = false }, BuildHarness.Cancellation);
        return $"s3://{Bucket}/{key}";
    }
}
