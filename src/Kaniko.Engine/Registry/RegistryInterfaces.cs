using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Registry;

/// <summary>
/// Blob operations on a registry (the distribution spec's <c>/v2/NAME/blobs/</c> endpoints), as go-containerregistry's
/// <c>remote</c> package and the .NET SDK's registry code separate them from manifests. Every stream read is checked
/// against its digest before it is trusted.
/// </summary>
internal interface IBlobClient
{
    /// <summary>The blob's size when <paramref name="repository"/> holds it, or <c>null</c>.</summary>
    Task<long?> HeadBlobAsync(RepositoryName repository, Digest digest, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for reading; the stream verifies the digest and size when read to the end.</summary>
    Task<Stream> OpenBlobAsync(RepositoryName repository, Descriptor blob, CancellationToken cancellationToken = default);

    /// <summary>Mounts the blob from <paramref name="source"/> of the same registry; false when the registry would not.</summary>
    Task<bool> TryMountBlobAsync(RepositoryName repository, Digest digest, RepositoryName source, CancellationToken cancellationToken = default);

    /// <summary>Pushes the blob unless the repository has it: HEAD, then a mount, then an upload.</summary>
    Task<BlobPushOutcome> PushBlobAsync(
        RepositoryName repository,
        Descriptor blob,
        Func<CancellationToken, Task<Stream>> openContent,
        RepositoryName? mountFrom = null,
        CancellationToken cancellationToken = default);

    /// <summary>Uploads the blob without checking first.</summary>
    Task UploadBlobAsync(RepositoryName repository, Descriptor blob, Func<CancellationToken, Task<Stream>> openContent, CancellationToken cancellationToken = default);
}

/// <summary>Manifest operations on a registry (the <c>/v2/NAME/manifests/</c> endpoints), with their exact bytes.</summary>
internal interface IManifestClient
{
    /// <summary>Reads a manifest or index for a pull.</summary>
    Task<ManifestResponse> GetManifestAsync(ImageReference reference, CancellationToken cancellationToken = default);

    /// <summary>Reads a manifest or index with the credentials of <paramref name="access"/>.</summary>
    Task<ManifestResponse> GetManifestAsync(ImageReference reference, RegistryAccess access, CancellationToken cancellationToken = default);

    /// <summary>The descriptor a reference names now, or <c>null</c> when the registry has no such manifest.</summary>
    Task<Descriptor?> HeadManifestAsync(ImageReference reference, RegistryAccess access = RegistryAccess.Pull, CancellationToken cancellationToken = default);

    /// <summary>Puts a manifest or index (its exact bytes) under a tag or digest; returns its digest.</summary>
    Task<Digest> PutManifestAsync(ImageReference reference, ReadOnlyMemory<byte> manifest, MediaType mediaType, CancellationToken cancellationToken = default);

    /// <summary>Deletes a manifest by digest.</summary>
    Task DeleteManifestAsync(RepositoryName repository, Digest digest, CancellationToken cancellationToken = default);
}

/// <summary>A registry's blobs and manifests: what fetching, pushing and the registry cache need.</summary>
internal interface IRegistryClient : IBlobClient, IManifestClient
{
    /// <summary>The settings the client talks to registries with (mirrors, retries, plain HTTP).</summary>
    RegistryOptions Options { get; }
}
