using Azure.Storage.Blobs;
using Kaniko.Cli.Contexts;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;
using Kaniko.Testing;

namespace Kaniko.Cli.Tests.Contexts;

/// <summary>
/// How each store's answers become codes, against a server on 127.0.0.1 that answers as the store would: the
/// refusals an emulator never gives (a bucket policy, an unknown project), and server errors.
/// </summary>
public sealed class BucketContextErrorTests
{
    private const string Secret = "kaniko-test-secret-9f3c";

    public static TheoryData<int, string, int> Answers => new()
    {
        { 404, "NoSuchKey", 2050 },
        { 403, "AccessDenied", 2051 },
        { 400, "InvalidRequest", 2055 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task S3_answers_become_codes(int status, string errorCode, int expected)
    {
        await using var server = new RawHttpServer(_ => new Respond(
            status,
            System.Text.Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{errorCode}</Code><Message>m</Message></Error>"),
            new Dictionary<string, string> { ["Content-Type"] = "application/xml" }));
        var variables = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "KANIKOTEST", ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["S3_ENDPOINT"] = server.BaseUrl, ["S3_FORCE_PATH_STYLE"] = "true",
        };

        var error = await FetchFailsAsync(new S3ContextSource(variables.GetValueOrDefault), "s3://bucket/context.tar.gz");

        Assert.Equal(DiagnosticCode.Of(expected), error.Code);
        Assert.Contains($"HTTP {status} {errorCode}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Google_cloud_storage_answers_become_codes(int status, string reason, int expected)
    {
        await using var server = new RawHttpServer(_ => Respond.Json(
            status, $$$"""{"error":{"code":{{{status}}},"message":"m","errors":[{"reason":"{{{reason}}}","message":"m"}]}}"""));
        var variables = new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = server.Authority };

        var error = await FetchFailsAsync(new GcsContextSource(variables.GetValueOrDefault), "gs://bucket/context.tar.gz");

        Assert.Equal(DiagnosticCode.Of(expected), error.Code);
        Assert.Contains($"HTTP {status} {reason}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, "BlobNotFound", 2050)]
    [InlineData(403, "AuthorizationPermissionMismatch", 2051)]
    [InlineData(500, "InternalError", 2055)]
    public async Task Azure_answers_become_codes(int status, string errorCode, int expected)
    {
        await using var server = new RawHttpServer(_ => new Respond(
            status,
            System.Text.Encoding.UTF8.GetBytes($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{errorCode}</Code><Message>m</Message></Error>"),
            new Dictionary<string, string> { ["Content-Type"] = "application/xml", ["x-ms-error-code"] = errorCode }));
        var endpoint = $"{server.BaseUrl}/devstoreaccount1";
        var key = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(Secret));
        var variables = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};BlobEndpoint={endpoint};",
        };
        var options = new BlobClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);

        var error = await FetchFailsAsync(new AzureBlobContextSource(variables.GetValueOrDefault, options), $"{endpoint}/container/context.tar.gz");

        Assert.Equal(DiagnosticCode.Of(expected), error.Code);
        Assert.Contains($"HTTP {status} {errorCode}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_base64_is_refused_without_showing_it()
    {
        var variables = new Dictionary<string, string> { ["AZURE_STORAGE_ACCESS_KEY"] = "not base64 " + Secret };

        var error = await FetchFailsAsync(new AzureBlobContextSource(variables.GetValueOrDefault), "https://acct.blob.core.windows.net/c/context.tar.gz");

        Assert.Equal(DiagnosticCodes.ContextAccessDenied, error.Code);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    private static async Task<KanikoException> FetchFailsAsync(IRemoteContextStore source, string context)
    {
        using var destination = new MemoryStream();
        return await Assert.ThrowsAsync<KanikoException>(() => source.FetchAsync(context, destination, TestContext.Current.CancellationToken));
    }
}
