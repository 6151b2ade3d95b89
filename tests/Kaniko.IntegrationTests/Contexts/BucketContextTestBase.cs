using System.Runtime.Versioning;
using Kaniko.Engine;
using Kaniko.Engine.Context;
using Kaniko.IntegrationTests.Build;
using Kaniko.Testing;

namespace Kaniko.IntegrationTests.Contexts;

/// <summary>
/// What every bucket store must do against its emulator, whatever the store: a build from an uploaded archive, the
/// archive written byte for byte, cancellation. Each store's class adds its own credential and error cases.
/// </summary>
[SupportedOSPlatform("linux")]
public abstract class BucketContextTestBase(RegistryFixture registry) : IDisposable
{
    /// <summary>A fresh build folder and cache per test.</summary>
    private protected BuildHarness Build { get; } = new(registry);

    /// <summary>The shared test registry.</summary>
    private protected RegistryFixture Registry => registry;

    /// <summary>Stores <paramref name="archive"/> as <paramref name="name"/> in the emulator and returns its <c>--context</c> value.</summary>
    private protected abstract Task<string> UploadAsync(string name, byte[] archive);

    /// <summary>The variables that reach the emulator with working credentials.</summary>
    private protected abstract Dictionary<string, string> Environment();

    /// <summary>The store under test, reading <paramref name="environment"/>.</summary>
    private protected abstract IRemoteContextStore CreateSource(IReadOnlyDictionary<string, string> environment);

    public void Dispose()
    {
        Build.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_build_from_the_stored_archive_pushes_its_files()
    {
        await BuildsFromTheStoreAsync("dir/context.tar.gz", Environment());
    }

    [Fact]
    public async Task The_source_writes_the_object_as_stored()
    {
        var archive = BucketContextRun.TarGz(("big.bin", new string('k', 3 << 20)));
        var context = await UploadAsync("stream/context.tar.gz", archive);
        using var destination = new MemoryStream();

        await CreateSource(Environment()).FetchAsync(context, destination, BuildHarness.Cancellation);

        Assert.Equal(archive, destination.ToArray());
    }

    [Fact]
    public async Task Cancellation_stops_the_download()
    {
        var context = await UploadAsync("cancel/context.tar.gz", BucketContextRun.SampleContext("x"));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreateSource(Environment()).FetchAsync(context, new MemoryStream(), cancelled.Token));
    }

    /// <summary>Uploads a sample context as <paramref name="name"/>, builds it with the CLI under <paramref name="environment"/>, and checks the image.</summary>
    private protected async Task BuildsFromTheStoreAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var marker = "from the store " + Guid.NewGuid().ToString("N");
        var context = await UploadAsync(name, BucketContextRun.SampleContext(marker));
        var reference = Build.NewReference("ctx-bucket");

        var run = await BucketContextRun.BuildAsync(Build, Registry, context, reference, environment);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        await BucketContextRun.AssertImageHasGreetingAsync(Build, reference, marker);
    }

    /// <summary>A variable lookup over <paramref name="environment"/>, as the sources take it.</summary>
    private protected static Func<string, string?> Variables(IReadOnlyDictionary<string, string> environment) =>
        name => environment.TryGetValue(name, out var value) ? value : null;
}
