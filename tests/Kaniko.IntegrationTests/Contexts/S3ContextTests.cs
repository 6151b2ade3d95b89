using System.Runtime.Versioning;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Kaniko.Cli.Contexts;
using Kaniko.Engine;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;
using Kaniko.Testing.Emulators;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary><c>s3://</c> contexts against s3rver on 127.0.0.1, through <c>S3_ENDPOINT</c> as kaniko users point at MinIO and the like.</summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class S3ContextTests(RegistryFixture registry, S3rverFixture s3) : BucketContextTestBase(registry), IClassFixture<S3rverFixture>
{
    private const string Bucket = "kaniko-contexts";
    private const string WrongSecret = "wrong-secret-Zq7Xv3Lp9";

    [Fact]
    public async Task The_sdks_own_endpoint_variable_works_too()
    {
        var environment = new Dictionary<string, string>(Environment()) { ["AWS_ENDPOINT_URL_S3"] = s3.BaseAddress };
        environment.Remove("S3_ENDPOINT");

        await BuildsFromTheStoreAsync("endpoint-url/context.tar.gz", environment);
    }

    [Fact]
    public async Task A_wrong_key_is_access_denied_and_its_secret_never_printed()
    {
        var context = await UploadAsync("secret/context.tar.gz", BucketContextRun.SampleContext("x"));
        // s3rver knows one key and checks which key signs, so a key it does not know is the wrong credential here.
        var environment = new Dictionary<string, string>(Environment()) { ["AWS_ACCESS_KEY_ID"] = "KANIKOTESTKEY", ["AWS_SECRET_ACCESS_KEY"] = WrongSecret };

        var run = await BucketContextRun.BuildAsync(Build, Registry, context, Build.NewReference("ctx-s3-denied"), environment);

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

        var run = await BucketContextRun.BuildAsync(Build, Registry, context, Build.NewReference("ctx-s3-nocreds"), environment);

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextCredentialsMissing);
    }

    [Fact]
    public async Task A_missing_object_or_bucket_is_not_found()
    {
        await UploadAsync("present.tar.gz", BucketContextRun.SampleContext("x"));
        var source = CreateSource(Environment());

        var missingObject = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"s3://{Bucket}/absent.tar.gz", d, BuildHarness.Cancellation));
        var missingBucket = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync("s3://no-such-bucket-kaniko/c.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingObject.Code);
        Assert.Contains($"s3://{Bucket}/absent.tar.gz", missingObject.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingBucket.Code);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unreachable()
    {
        var port = BucketContextRun.ClosedPort();
        var environment = new Dictionary<string, string>(Environment()) { ["S3_ENDPOINT"] = $"http://127.0.0.1:{port}" };

        var error = await BucketContextRun.FetchFailsAsync(d => CreateSource(environment).FetchAsync("s3://bucket/context.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextStoreUnreachable, error.Code);
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal); // the endpoint tried
    }

    private protected override Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretAccessKey,
        ["S3_ENDPOINT"] = s3.BaseAddress,
        ["S3_FORCE_PATH_STYLE"] = "true",
    };

    private protected override IRemoteContextStore CreateSource(IReadOnlyDictionary<string, string> environment) => new S3ContextSource(Variables(environment));

    private protected override async Task<string> UploadAsync(string name, byte[] archive)
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

        await client.PutObjectAsync(
            new PutObjectRequest { BucketName = Bucket, Key = name, InputStream = new MemoryStream(archive), UseChunkEncoding = false },
            BuildHarness.Cancellation);
        return $"s3://{Bucket}/{name}";
    }
}
