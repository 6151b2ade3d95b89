namespace Kaniko.Engine;

/// <summary>
/// What a host asks the engine to build, in the terms of kaniko's flags. Hosts translate their own inputs (command
/// line options, MSBuild properties) into this record; the engine reads nothing else.
/// </summary>
public sealed record BuildRequest
{
    /// <summary>
    /// The build context (<c>--context</c>): a directory path or <c>dir://PATH</c>, <c>tar://PATH</c>, <c>tar://stdin</c>
    /// or <c>-</c>, a git URL, an <c>http(s)://</c> archive, or a store one of <see cref="RemoteContextSources"/> handles
    /// (see <c>docs/contexts.md</c>).
    /// </summary>
    public string Context { get; init; } = ".";

    /// <summary>The Dockerfile (<c>--dockerfile</c>), or <c>null</c> for <c>Dockerfile</c> in the context.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>
    /// Stores that hold contexts as archives (S3, Google Cloud Storage, Azure Blob, ...), registered by the host: each
    /// is asked (<see cref="IRemoteContextStore.CanFetch"/>) for a <see cref="Context"/> with a scheme other
    /// than <c>dir://</c> and <c>tar://</c> before git and URL contexts, and what it fetches is unpacked like a
    /// <c>tar://</c> archive.
    /// </summary>
    public IReadOnlyList<IRemoteContextStore> RemoteContextSources { get; init; } = [];

    /// <summary>A sub-directory of the context to use as its root (<c>--context-sub-path</c>), or <c>null</c>.</summary>
    public string? ContextSubPath { get; init; }

    /// <summary>How git contexts are fetched (<c>--git</c>, <c>GIT_PULL_METHOD</c>).</summary>
    public GitContextSettings Git { get; init; } = GitContextSettings.Default;

    /// <summary>
    /// Opens the standard input a <c>tar://stdin</c> or <c>-</c> context is read from; <c>null</c> when the host has
    /// none (such a context then fails with <c>KANIKO2039</c>). The engine never touches the console itself.
    /// </summary>
    public Func<Stream>? StandardInput { get; init; }

    /// <summary>The build arguments, already resolved (see <see cref="ParseBuildArgs"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildArgs { get; init; } = [];

    /// <summary>The stage to build (<c>--target</c>), or <c>null</c> for the last one.</summary>
    public string? Target { get; init; }

    /// <summary>The platform to build for, <c>os/arch[/variant]</c> (<c>--custom-platform</c>), or <c>null</c> for this machine's.</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// The platforms to build for when there are several (<c>--custom-platform linux/amd64,linux/arm64</c>): each is
    /// planned and built, and the images are pushed and written as one image index. When not empty it replaces
    /// <see cref="Platform"/>; a single entry builds a plain image as <see cref="Platform"/> does.
    /// </summary>
    public IReadOnlyList<string> Platforms { get; init; } = [];

    /// <summary>The image references to push to (<c>--destination</c>, repeatable).</summary>
    public IReadOnlyList<string> Destinations { get; init; } = [];

    /// <summary>Builds without pushing (<c>--no-push</c>); without it at least one destination is required.</summary>
    public bool NoPush { get; init; }

    /// <summary>Writes the image as a <c>docker load</c> tarball here (<c>--tar-path</c>), or <c>null</c>.</summary>
    public string? TarPath { get; init; }

    /// <summary>Writes the image into this OCI image layout (<c>--oci-layout-path</c>), or <c>null</c>.</summary>
    public string? OciLayoutPath { get; init; }

    /// <summary>
    /// The media types of the image (<c>--image-format oci|docker</c>): every manifest, config and layer written is
    /// of that family, a base of the other family converted. <c>null</c>: pushes and the tarball keep the base image's
    /// family, and the OCI layout gets OCI media types (skopeo's <c>oci:</c> transport and umoci read only those), so
    /// its digest may differ from the pushed one (<see cref="BuildResult.OciLayoutDigest"/>).
    /// </summary>
    public ImageFormat? ImageFormat { get; init; }

    /// <summary>
    /// The SBOM and provenance attestations to attach (<c>--sbom</c>, <c>--provenance</c>) and the files to write them
    /// to; none by default. With any, the image is pushed and written inside an index that also holds the attestation
    /// manifests, and the digest files name that index.
    /// </summary>
    public AttestationOptions Attestations { get; init; } = new();

    /// <summary>Writes the manifest digest here (<c>--digest-file</c>), or <c>null</c>; the index's when attestations are attached.</summary>
    public string? DigestFile { get; init; }

    /// <summary>Writes <c>REGISTRY/REPOSITORY@DIGEST</c> per destination here (<c>--image-name-with-digest-file</c>), or <c>null</c>.</summary>
    public string? ImageNameWithDigestFile { get; init; }

    /// <summary>Writes <c>REGISTRY/REPOSITORY:TAG@DIGEST</c> per destination here (<c>--image-name-tag-with-digest-file</c>), or <c>null</c>.</summary>
    public string? ImageNameTagWithDigestFile { get; init; }

    /// <summary>Config labels of the final image (<c>--label K=V</c>), applied after the Dockerfile's; a later key wins.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Manifest annotations of the final image (<c>--annotation K=V</c>); a later key wins.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];

    /// <summary>
    /// Makes the image depend only on its inputs (<c>--reproducible</c>): the config's <c>created</c>, the history
    /// times and every file's modification time are the Unix epoch, or <see cref="SourceDateEpoch"/> when given.
    /// </summary>
    public bool Reproducible { get; init; }

    /// <summary>
    /// The fixed build time (<c>SOURCE_DATE_EPOCH</c>): used for <c>created</c>, history and file times even without
    /// <see cref="Reproducible"/>; <c>null</c> for none.
    /// </summary>
    public DateTimeOffset? SourceDateEpoch { get; init; }

    /// <summary>How new layers are compressed (<c>--compression</c>, <c>--compression-level</c>).</summary>
    public LayerSettings Layers { get; init; } = LayerSettings.Default;

    /// <summary>The base-image blob store's root (<c>--cache-dir</c>), or <c>null</c> for the user's cache folder.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// The layer cache of build steps (<c>--cache</c>, <c>--cache-repo</c>, <c>--cache-ttl</c>,
    /// <c>--cache-copy-layers</c>, <c>--cache-run-layers</c>); its local entries live under <see cref="CacheDirectory"/>.
    /// </summary>
    public LayerCacheSettings Cache { get; init; } = new();

    /// <summary>
    /// The secrets <c>RUN --mount=type=secret</c> steps may read (<c>--secret id=ID,src=FILE</c> or
    /// <c>env=VARIABLE</c>, see <see cref="BuildSecret.Parse"/>); the values are read when a step needs
    /// them and never reach a layer, the config or the history.
    /// </summary>
    public IReadOnlyList<BuildSecret> Secrets { get; init; } = [];

    /// <summary>The SSH agents <c>RUN --mount=type=ssh</c> steps may use (<c>--ssh default</c>, <c>--ssh ID=SOCKET</c>, see <see cref="SshAgent.Parse"/>).</summary>
    public IReadOnlyList<SshAgent> SshAgents { get; init; } = [];

    /// <summary>Registry settings for pulls and pushes (<c>--insecure</c>, <c>--registry-mirror</c>, retries, ...).</summary>
    public RegistrySettings Registry { get; init; } = new();

    /// <summary>
    /// How <c>RUN</c> steps are isolated (<c>--isolation</c>): the best available by default; <c>None</c> (kaniko's own
    /// mode: the steps change <c>/</c> of this system) only when asked for.
    /// </summary>
    public IsolationKind Isolation { get; init; } = IsolationKind.Automatic;

    /// <summary>How a snapshot after a <c>RUN</c> step decides what changed (<c>--snapshot-mode</c>).</summary>
    public SnapshotKind SnapshotMode { get; init; } = SnapshotKind.Redo;

    /// <summary>How the root filesystem of a stage that runs steps is made (<c>--stage-root</c>): an overlay when possible, by default.</summary>
    public StageRootKind StageRoot { get; init; } = StageRootKind.Automatic;

    /// <summary>One layer per stage for everything its steps changed (<c>--single-snapshot</c>).</summary>
    public bool SingleSnapshot { get; init; }

    /// <summary>
    /// The most bytes the cache directory's layer store keeps (<c>--layer-store-size</c>): after a build unpacks a layer
    /// into it, the least recently used layers no running build holds are removed until it fits. <c>null</c> (the
    /// default): a tenth of the file system holding the cache directory, at most 20 GiB; 0: no limit.
    /// </summary>
    public long? LayerStoreSize { get; init; }

    /// <summary>
    /// The folder in which the build makes its own temporary folder (new layers, root filesystems of stages), removed
    /// when the build ends; <c>null</c> for the system's temporary folder.
    /// </summary>
    public string? WorkDirectoryRoot { get; init; }

    /// <summary>
    /// Parses <c>--build-arg</c> values as kaniko does: <c>NAME=VALUE</c>, or <c>NAME</c> alone for the value of the
    /// environment variable of that name (left out when unset).
    /// </summary>
    /// <param name="values">The option's values in order; a later one for the same name wins.</param>
    /// <param name="environment">Looks up this process's environment variables.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseBuildArgs(IEnumerable<string> values, Func<string, string?> environment) =>
        Planning.BuildArguments.Parse(values, environment);
}
