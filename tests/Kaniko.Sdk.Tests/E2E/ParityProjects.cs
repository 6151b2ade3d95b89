namespace Kaniko.Sdk.Tests.E2E;

/// <summary>
/// The fresh <c>dotnet new web</c> and <c>dotnet new worker</c> projects of <see cref="ParityTests"/>, made once for
/// the class: every test publishes the same project (restore and build done once), each to its own repository.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ParityProjects : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private FreshProject? _web;
    private FreshProject? _worker;

    /// <summary>The web project (the <c>Sdk</c> element form), with the image-shaping items of <see cref="ParityTests.WebBody"/>.</summary>
    public Task<FreshProject> WebAsync(PackedSdkFeed feed, string baseImage) =>
        GetAsync(() => _web, p => _web = p, "parityweb", "web", feed, SdkReference.SdkElement, ParityTests.WebBody(baseImage));

    /// <summary>The worker project (the <c>PackageReference</c> form), with the items of <see cref="ParityTests.WorkerBody"/>.</summary>
    public Task<FreshProject> WorkerAsync(PackedSdkFeed feed, string baseImage) =>
        GetAsync(() => _worker, p => _worker = p, "parityworker", "worker", feed, SdkReference.PackageReference, ParityTests.WorkerBody(baseImage));

    /// <inheritdoc />
    public void Dispose()
    {
        _web?.Dispose();
        _worker?.Dispose();
        _gate.Dispose();
    }

    private async Task<FreshProject> GetAsync(
        Func<FreshProject?> get, Action<FreshProject> set, string name, string template, PackedSdkFeed feed, SdkReference reference, string body)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (get() is { } existing)
            {
                return existing;
            }

            var project = new FreshProject(name);
            await project.CreateAsync(template, feed, reference, body).ConfigureAwait(false);
            set(project);
            return project;
        }
        finally
        {
            _gate.Release();
        }
    }
}
