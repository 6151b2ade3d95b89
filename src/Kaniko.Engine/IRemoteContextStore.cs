using Kaniko.Engine.Context;

namespace Kaniko.Engine;

/// <summary>
/// A store that holds a build context as one archive (a tar, optionally gzip-compressed), for example an S3, Google
/// Cloud Storage or Azure Blob object. The engine downloads the archive through it and unpacks it like a
/// <c>tar://</c> context; the stores' client libraries live with the host that registers them, so the engine (and
/// the MSBuild tasks that carry it) do not ship them. Errors are best made with <see cref="RemoteContextErrors"/>.
/// </summary>
public interface IRemoteContextStore
{
    /// <summary>Whether this store handles the <c>--context</c> value (its scheme, or its host for <c>https://</c>).</summary>
    /// <param name="contextArgument">The <c>--context</c> value as given.</param>
    bool CanFetch(string contextArgument);

    /// <summary>Writes the archive's bytes, as stored, to <paramref name="destination"/>.</summary>
    /// <param name="contextArgument">A value for which <see cref="CanFetch"/> returned true.</param>
    /// <param name="destination">Where the archive goes; not closed.</param>
    /// <param name="cancellationToken">Stops the download.</param>
    /// <exception cref="Diagnostics.KanikoException">The object is missing, access is denied, or the store cannot be
    /// reached; the message names the context value (never a credential).</exception>
    Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken);
}

/// <summary>A host's store seen through the context layer's own interface.</summary>
internal sealed class RemoteContextStoreSource(IRemoteContextStore store) : IRemoteContextSource
{
    public bool CanFetch(string contextArgument) => store.CanFetch(contextArgument);

    public Task FetchAsync(string contextArgument, Stream destination, CancellationToken cancellationToken) =>
        store.FetchAsync(contextArgument, destination, cancellationToken);
}
