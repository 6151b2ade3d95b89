using System.Runtime.Versioning;
using Google.Cloud.Storage.V1;
using Kaniko.Cli.Contexts;
using Kaniko.Engine;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;
using Kaniko.Testing.Emulators;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary>
/// <c>gs://</c> contexts against the Cloud Storage emulator of firebase-tools on 127.0.0.1, reached through
/// <c>STORAGE_EMULATOR_HOST</c>. The emulator takes every request as an administrator's, so refused access is not
/// tested here (<c>BucketContextErrorTests</c> in Kaniko.Cli.Tests plays a refusing server instead).
/// </summary>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class GcsContextTests(RegistryFixture registry, GcsEmulatorFixture gcs) : BucketContextTestBase(registry), IClassFixture<GcsEmulatorFixture>
{
    private const string Bucket = "kaniko-contexts";

    [Fact]
    public async Task Without_an_emulator_or_application_default_credentials_the_credentials_are_missing()
    {
        // The metadata server is pointed at a closed loopback port (BucketContextRun), HOME is empty: nothing gives credentials.
        var run = await BucketContextRun.BuildAsync(
            Build, Registry, $"gs://{Bucket}/context.tar.gz", Build.NewReference("ctx-gcs-nocreds"), new Dictionary<string, string>());

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextCredentialsMissing);
    }

    [Fact]
    public async Task A_missing_object_is_not_found()
    {
        await UploadAsync("present.tar.gz", BucketContextRun.SampleContext("x"));

        var error = await BucketContextRun.FetchFailsAsync(d => CreateSource(Environment()).FetchAsync($"gs://{Bucket}/absent.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, error.Code);
        Assert.Contains($"gs://{Bucket}/absent.tar.gz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unreachable()
    {
        var environment = new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = $"127.0.0.1:{BucketContextRun.ClosedPort()}" };

        var error = await BucketContextRun.FetchFailsAsync(d => CreateSource(environment).FetchAsync($"gs://{Bucket}/context.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextStoreUnreachable, error.Code);
    }

    private protected override Dictionary<string, string> Environment() => new(StringComparer.Ordinal) { ["STORAGE_EMULATOR_HOST"] = gcs.EmulatorHost };

    private protected override IRemoteContextStore CreateSource(IReadOnlyDictionary<string, string> environment) => new GcsContextSource(Variables(environment));

    private protected override async Task<string> UploadAsync(string name, byte[] archive)
    {
        using var client = await new StorageClientBuilder { BaseUri = $"http://{gcs.EmulatorHost}/storage/v1/", UnauthenticatedAccess = true }
            .BuildAsync(BuildHarness.Cancellation);
        await client.UploadObjectAsync(Bucket, name, "application/gzip", new MemoryStream(archive), cancellationToken: BuildHarness.Cancellation);
        return $"gs://{Bucket}/{name}";
    }
}
