using Kaniko.Engine;


namespace Kaniko.Cli.Contexts;

/// <summary>The bucket stores <c>dotnet kaniko build --context</c> reads archives from: S3, Google Cloud Storage, Azure Blob.</summary>
internal static class BucketContextSources
{
    /// <summary>
    /// One source per store, each reading its variables through <paramref name="environment"/>, each made only when
    /// a context is first offered to it (<see cref="DeferredContextStore"/>).
    /// </summary>
    internal static IReadOnlyList<IRemoteContextStore> Create(Func<string, string?> environment) =>
    [
        new DeferredContextStore(() => new S3ContextSource(environment)),
        new DeferredContextStore(() => new GcsContextSource(environment)),
        new DeferredContextStore(() => new AzureBlobContextSource(environment)),
    ];
}

/// <summary>
/// A bucket store made when a context is first offered to it. A local folder is never offered (the engine asks the
/// stores only about a context with a scheme it does not know), so a build of one does not load the cloud clients'
/// assemblies at start: the Azure client's options alone load its storage, core and HTTP pipeline assemblies.
/// </summary>
internal sealed class DeferredContextStore(Func<IRemoteContextStore> create) : IRemoteContextStore
{
    private readonly Lazy<IRemoteContextStore> _store = new(create);

    /// <summary>Whether the store was made.</summary>
    internal bool IsCreated => _store.IsValueCreated;

    /// <summary>The store, made now if it was not yet.</summary>
    internal IRemoteContextStore Store => _store.Value;

    /// <inheritdoc/>
    public bool CanFetch(string contextArgument) => _store.Value.CanFetch(contextArgument);

    /// <inheritdoc/>
    public Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken) =>
        _store.Value.FetchAsync(contextArgument, destination, cancellationToken);
}
