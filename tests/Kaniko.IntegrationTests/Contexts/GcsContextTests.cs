using System.Runtime.Versioning;
using Google.Cloud.Storage.V1;
using Kaniko.Cli.Contexts;
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
public sealed class GcsContextTests(RegistryFixture registry, GcsEmulatorFixture gcs) : IClassFixture<GcsEmulatorFixture>, IDisposable
{
    private const string Bucket = "kaniko-contexts";

    private readonly BuildHarness _build = new(registry);

    public void Dispose() => _build.Dispose();

    [Fact]
    public async Task A_build_from_a_gcs_archive_pushes_its_files()
    {
        var marker = "from gcs " + Guid.NewGuid().ToString("N");
        var context = await UploadAsync("dir/context.tar.gz", BucketContextRun.SampleContext(marker));
        var reference = _build.NewReference("ctx-gcs");

        var run = await BucketContextRun.BuildAsync(_build, registry, context, reference, Environment());

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        await BucketContextRun.AssertImageHasGreetingAsync(_build, reference, marker);
    }

    [Fact]
    public async Task Without_an_emulator_or_application_default_credentials_the_credentials_are_missing()
    {
        // The metadata server is pointed at a closed loopback port (BucketContextRun), HOME is empty: nothing gives credentials.
        var run = await BucketContextRun.BuildAsync(
            _build, registry, $"gs://{Bucket}/context.tar.gz", _build.NewReference("ctx-gcs-nocreds"), new Dictionary<string, string>());

        BucketContextRun.AssertFailedWith(run, DiagnosticCodes.ContextCredentialsMissing);
    }

    [Fact]
    public async Task A_missing_object_is_not_found()
    {
        await UploadAsync("present.tar.gz", BucketContextRun.SampleContext("x"));
        var source = new GcsContextSource(Variables(Environment()));

        var error = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"gs://{Bucket}/absent.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextObjectNotFound, error.Code);
        Assert.Contains($"gs://{Bucket}/absent.tar.gz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_source_streams_the_object_as_stored()
    {
        var archive = BucketContextRun.TarGz(("big.bin", new string('g', 3 << 20)));
        var context = await UploadAsync("stream/context.tar.gz", archive);
        var source = new GcsContextSource(Variables(Environment()));
        using var destination = new MemoryStream();

        await source.FetchAsync(context, destination, BuildHarness.Cancellation);

        Assert.Equal(archive, destination.ToArray());
    }

    [Fact]
    public async Task A_store_that_does_not_answer_is_unreachable()
    {
        var source = new GcsContextSource(Variables(new Dictionary<string, string> { ["STORAGE_EMULATOR_HOST"] = $"127.0.0.1:{BucketContextRun.ClosedPort()}" }));

        var error = await BucketContextRun.FetchFailsAsync(d => source.FetchAsync($"gs://{Bucket}/context.tar.gz", d, BuildHarness.Cancellation));

        Assert.Equal(DiagnosticCodes.ContextStoreUnreachable, error.Code);
    }

    [Fact]
    public async Task Cancellation_stops_the_download()
    {
        var context = await UploadAsync("cancel/context.tar.gz", BucketContextRun.SampleContext("x"));
        var source = new GcsContextSource(Variables(Environment()));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => source.FetchAsync(context, new MemoryStream(), cancelled.Token));
    }

    private Dictionary<string, string> Environment() => new(StringComparer.Ordinal) { ["STORAGE_EMULATOR_HOST"] = gcs.EmulatorHost };

    private static Func<string, string?> Variables(IReadOnlyDictionary<string, string> environment) =>
        name => environment.TryGetValue(name, out var value) ? value : null;

    /// <summary>Stores <paramref name="archive"/> as <paramref name="name"/> and returns its <c>gs://</c> address.</summary>
    private async Task<string> UploadAsync(string name, byte[] archive)
    {
        using var client = await new StorageClientBuilder { BaseUri = $"http://{gcs.EmulatorHost}/storage/v1/", UnauthenticatedAccess = true }
            .BuildAsync(BuildHarness.Cancellation);
        await client.UploadObjectAsync(Bucket, name, "application/gzip", new MemoryStream(archive), cancellationToken: BuildHarness.Cancellation);
        return $"gs://{Bucket}/{name}";
    }
}
