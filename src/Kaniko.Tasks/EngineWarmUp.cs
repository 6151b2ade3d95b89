using Kaniko.Engine;
using Microsoft.Build.Framework;

namespace Kaniko.Tasks;

/// <summary>
/// Runs the engine once, in the background of the MSBuild node, while the project compiles and publishes, so the image
/// step that follows finds its code compiled. Most of the engine's first-run cost is not its own code (shipped
/// ReadyToRun) but the framework's generic code instantiated over the engine's types (async state machines, JSON
/// metadata, collections and LINQ over engine structs), which ReadyToRun cannot precompile outside the framework's
/// version bubble, so the runtime JIT-compiles it on first use. The warm-up resolves the project Dockerfile's base
/// images (the <c>HEAD</c> requests the build makes too) and builds a tiny image on the target stage's base (or
/// <c>scratch</c>) in a folder of its own under <c>obj/</c>: its manifest and config are fetched, no layer is, and
/// nothing is written anywhere else (not even the user's caches). Then it pushes the same steps from <c>scratch</c> to
/// a <see cref="WarmUpRegistry"/> of this process, which keeps nothing, so the push path is compiled too. It
/// changes nothing the build reads; the build cancels it when it starts (<see cref="StopAsync"/>), so the two never
/// compete, and any failure of it is ignored: the build then compiles what it needs itself.
/// </summary>
internal sealed class EngineWarmUp : IDisposable
{
    // The shape of the generated Dockerfile and the usual project one: the steps the image step runs.
    private const string DockerfileSteps = """
        WORKDIR /app
        COPY . .
        USER 1654
        ENV WARM_UP=1
        EXPOSE 8080
        LABEL warm.up=1
        ENTRYPOINT ["dotnet", "app.dll"]
        """;

    private readonly CancellationTokenSource _cancellation = new();
    private readonly Task _running;

    private EngineWarmUp(string folder, KanikoWarmUp task)
    {
        // Task.Run: the task that starts it returns at once; the work runs on the thread pool beside the build.
        _running = Task.Run(() => RunAsync(folder, task, _cancellation.Token));
    }

    /// <summary>
    /// Starts a warm-up in <paramref name="folder"/> (created, and removed when it ends) and registers it with
    /// MSBuild for this build, under <paramref name="key"/>, for <see cref="StopAsync"/> to find.
    /// </summary>
    /// <param name="engine">The build engine whose registered task objects hold it.</param>
    /// <param name="key">The project file (<see cref="IBuildEngine.ProjectFileOfTaskNode"/>): one warm-up per project and build.</param>
    /// <param name="folder">A folder of its own under the project's <c>obj/</c>.</param>
    /// <param name="task">The task that starts it: its <see cref="KanikoWarmUp.BaseImagesRequest"/> names the base images to resolve.</param>
    internal static void Start(IBuildEngine4 engine, string key, string folder, KanikoWarmUp task)
    {
        if (engine.GetRegisteredTaskObject(RegistrationKey(key), RegisteredTaskObjectLifetime.Build) is EngineWarmUp)
        {
            return;
        }

        engine.RegisterTaskObject(RegistrationKey(key), new EngineWarmUp(folder, task), RegisteredTaskObjectLifetime.Build, allowEarlyCollection: false);
    }

    /// <summary>Cancels the warm-up of the project <paramref name="engine"/> builds, if one runs, and waits for it to clean up.</summary>
    internal static Task StopAsync(IBuildEngine? engine) =>
        engine is IBuildEngine4 engine4
        && engine4.UnregisterTaskObject(RegistrationKey(engine4.ProjectFileOfTaskNode), RegisteredTaskObjectLifetime.Build) is EngineWarmUp warmUp
            ? warmUp.CancelAndWaitAsync()
            : Task.CompletedTask;

    private async Task CancelAndWaitAsync()
    {
        await _cancellation.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _cancellation.Dispose();
    }

    /// <summary>
    /// MSBuild disposes what is still registered when the build ends (the build failed before its image step): the
    /// warm-up stops then, and removes its folder, rather than being cut off when the node exits.
    /// </summary>
    public void Dispose()
    {
        if (!_cancellation.IsCancellationRequested)
        {
            CancelAndWaitAsync().GetAwaiter().GetResult();
        }
    }

    private static string RegistrationKey(string key) => "Kaniko.Tasks.EngineWarmUp|" + key;

    private static async Task RunAsync(string folder, KanikoWarmUp task, CancellationToken cancellationToken)
    {
        try
        {
            var baseImages = task.BaseImagesRequest();
            // The image the project's Dockerfile builds on, when it resolves: then its manifest and config are fetched
            // as the build fetches them (no layer: nothing is pushed or written), else the warm-up starts from scratch.
            var resolved = baseImages is null ? null : await BaseImageDigests.ResolveAsync(baseImages, _ => { }, cancellationToken).ConfigureAwait(false);
            var from = resolved?.TargetBase is { } name && resolved.TargetBaseDigest is not null ? name : "scratch";
            var request = await WriteContextAsync(folder, "context", from, baseImages?.Registry ?? new RegistrySettings(), cancellationToken).ConfigureAwait(false);
            BuildInputs.Fingerprint(request, Path.Combine(request.Context, "Dockerfile"), null, "warm-up");
            await KanikoBuilder.BuildAsync(request, null, cancellationToken).ConfigureAwait(false);
            await PushAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Cancelled by the build, or failed in any way: never the build's concern, which compiles what it needs itself.
        }
        finally
        {
            Remove(folder);
        }
    }

    /// <summary>
    /// The push path: the same steps from <c>scratch</c> (so no base layer is copied anywhere), pushed with the
    /// image step's settings to a <see cref="WarmUpRegistry"/> of this process, which keeps nothing; the tag is asked
    /// first, as the up-to-date check asks. Returns how many blobs were uploaded (0 when no port could be taken).
    /// </summary>
    internal static async Task<int> PushAsync(string folder, CancellationToken cancellationToken)
    {
        using var registry = WarmUpRegistry.TryStart();
        if (registry is null)
        {
            return 0;
        }

        var destination = registry.Host + "/warm-up:latest";
        var settings = TaskRegistryOptions.Create([registry.Host], insecure: true, insecureRegistries: null, skipTlsVerify: false);
        var request = await WriteContextAsync(folder, "push", "scratch", settings, cancellationToken).ConfigureAwait(false) with
        {
            Destinations = [destination],
            NoPush = false,
        };
        await BuildInputs.PublishedDigestAsync(request, destination, cancellationToken).ConfigureAwait(false);
        await KanikoBuilder.BuildAsync(request, null, cancellationToken).ConfigureAwait(false);
        return registry.Uploads;
    }

    // A context of the usual .NET image's shape under the warm-up's folder, and a request that builds it there without
    // pushing; its cache folder is the warm-up's own too.
    private static async Task<BuildRequest> WriteContextAsync(string folder, string name, string from, RegistrySettings registry, CancellationToken cancellationToken)
    {
        var context = Path.Combine(folder, name);
        Directory.CreateDirectory(Path.Combine(context, "wwwroot"));
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM " + from + "\n" + DockerfileSteps, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(context, "app.dll"), "warm-up", cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(context, "wwwroot", "index.html"), "warm-up", cancellationToken).ConfigureAwait(false);
        return new BuildRequest
        {
            Context = context,
            NoPush = true,
            Registry = registry,
            CacheDirectory = Path.Combine(folder, "cache"),
            WorkDirectoryRoot = folder,
            Labels = [KeyValuePair.Create("org.opencontainers.image.created", "warm-up")],
        };
    }

    // Only this folder, which the warm-up made: Directory.Delete removes symbolic links without following them.
    private static void Remove(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover under obj/ is removed by dotnet clean (the targets record kaniko/** in FileWrites).
        }
    }
}
