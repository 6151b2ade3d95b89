using System.Runtime.Versioning;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Kaniko.Cli.Contexts;
using Kaniko.Engine;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;
using Kaniko.Testing.Emulators;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary>
/// Azure blob contexts against Azurite on 127.0.0.1. Its path-style URLs
/// (<c>http://127.0.0.1:PORT/devstoreaccount1/CONTAINER/BLOB</c>) are recognised because
/// <c>AZURE_STORAGE_CONNECTION_STRING</c> names that blob endpoint.
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class AzureBlobContextTests(RegistryFixture registry, AzuriteFixture azurite) : BucketContextTestBase(registry), IClassFixture<AzuriteFixture>
{
    private const string Container = "kaniko-contexts";

    /// <summary>A well-formed account key that is not the emulator's.</summary>
    private static readonly string WrongKey = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("not-the-key-of-devstoreaccount1-kaniko-test!!"));

    [Fact]
    public async Task The_access_key_signs_for_the_account_the_url_names()
    {
        await BuildsFromTheStoreAsync("key/context.tar.gz", WithKey(AzuriteFixture.AccountKey));
    }

    [Fact]
    public async Task A_wrong_access_key_is_access_denied_and_never_printed()
    {
        var context = await UploadAsync("wrong/context.tar.gz", BucketContextRun.SampleContext("x"));

        var run = await BucketContextRun.BuildAsync(Build, Registry, context, Build.NewReference("ctx-azure-denied"), WithKey(WrongKey));

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextAccessDenied, WrongKey, AzuriteFixture.AccountKey);
        Assert.Contains(context, run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shared_access_signature_in_the_url_is_used_and_never_printed()
    {
        var archive = BucketContextRun.SampleContext("sas");
        var context = await UploadAsync("sas/context.tar.gz", archive);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1)) { BlobContainerName = Container, BlobName = "sas/context.tar.gz" }
            .ToSasQueryParameters(new StorageSharedKeyCredential(AzuriteFixture.AccountName, AzuriteFixture.AccountKey)).ToString();
        var source = CreateSource(Environment());
        using var destination = new MemoryStream();

        await source.FetchAsync(context + "?" + sas, destination, BuildHarness.Cancellation);
        var other = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync(context.Replace("sas/", "absent/", StringComparison.Ordinal) + "?" + sas, d, BuildHarness.Cancellation));

        Assert.Equal(archive, destination.ToArray());
        Assert.Equal(DiagnosticCodes.ContextAccessDenied, other.Code); // the signature covers one blob only
        Assert.DoesNotContain("sig=", other.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_keys_the_default_credential_finds_none_and_says_so()
    {
        // The managed identity endpoint (played on 127.0.0.1) knows no identity, as on a machine outside Azure; the
        // other links of DefaultAzureCredential have nothing (no variables, no Azure CLI login in the empty HOME).
        await using var imds = new RawHttpServer(_ => Respond.Json(400, """{"error":"invalid_request","error_description":"Identity not found"}"""));
        var environment = new Dictionary<string, string> { ["AZURE_POD_IDENTITY_AUTHORITY_HOST"] = imds.BaseUrl };

        var run = await BucketContextRun.BuildAsync(
            Build, Registry, "https://kanikotest.blob.core.windows.net/contexts/context.tar.gz", Build.NewReference("ctx-azure-nocreds"), environment);

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextCredentialsMissing);
    }

    [Fact]
    public async Task A_missing_blob_or_container_is_not_found()
    {
        await UploadAsync("present.tar.gz", BucketContextRun.SampleContext("x"));
        var source = CreateSource(Environment());

        var missingBlob = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"{azurite.BlobEndpoint}/{Container}/absent.tar.gz", d, BuildHarness.Cancellation));
        var missingContainer = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"{azurite.BlobEndpoint}/no-such-container/c.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingBlob.Code);
        Assert.Contains("BlobNotFound", missingBlob.Message, StringComparison.Ordinal);
        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, missingContainer.Code);
        Assert.Contains("ContainerNotFound", missingContainer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unreachable()
    {
        var endpoint = $"http://127.0.0.1:{BucketContextRun.ClosedPort()}/{AzuriteFixture.AccountName}";
        var environment = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_CONNECTION_STRING"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={AzuriteFixture.AccountKey};BlobEndpoint={endpoint};",
        };
        // The client's own retries, with short delays: the error comes after them.
        var options = new BlobClientOptions();
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var source = new AzureBlobContextSource(Variables(environment), options);

        var error = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"{endpoint}/{Container}/context.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextStoreUnreachable, error.Code);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The connection string alone: it both makes the emulator's URLs recognised and signs the requests.</summary>
    private protected override Dictionary<string, string> Environment() => new(StringComparer.Ordinal) { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString };

    private protected override IRemoteContextStore CreateSource(IReadOnlyDictionary<string, string> environment) => new AzureBlobContextSource(Variables(environment));

    /// <summary>kaniko's variable, with the connection string beside it only so the emulator's URLs are recognised.</summary>
    private Dictionary<string, string> WithKey(string key) => new(Environment()) { ["AZURE_STORAGE_ACCESS_KEY"] = key };

    private protected override async Task<string> UploadAsync(string name, byte[] archive)
    {
        var container = new BlobContainerClient(azurite.ConnectionString, Container);
        await container.CreateIfNotExistsAsync(cancellationToken: BuildHarness.Cancellation);
        await container.GetBlobClient(name).UploadAsync(new BinaryData(archive), overwrite: true, BuildHarness.Cancellation);
        return $"{azurite.BlobEndpoint}/{Container}/{name}";
    }
}
