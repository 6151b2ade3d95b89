using Kaniko.Engine.Caching;
using Kaniko.Engine.Execution.Mounts;
using Kaniko.Engine.Execution.Sandbox;
using Kaniko.Engine.Filesystem;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Registry;

namespace Kaniko.Engine.Execution.Build;

/// <summary>What <see cref="BuildExecutor"/> needs besides the plan and the context.</summary>
internal sealed record ExecutionOptions
{
    /// <summary>
    /// The time of the config's <c>created</c> and of every new history entry: the build's start, or the fixed
    /// time of a reproducible build.
    /// </summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>
    /// The modification time every file written into a layer gets (<c>--reproducible</c>, <c>SOURCE_DATE_EPOCH</c>),
    /// or <c>null</c> to keep the sources' times.
    /// </summary>
    public DateTimeOffset? FixedFileTime { get; init; }

    /// <summary>How layers are compressed.</summary>
    public LayerWriterOptions Layers { get; init; } = LayerWriterOptions.Default;

    /// <summary>
    /// The media type family every stage's image is written in (<c>--image-format</c>), or <c>null</c> to keep each
    /// base image's (OCI when the layers are zstd, which Docker schema 2 cannot list).
    /// </summary>
    public Images.ImageFormat? ImageFormat { get; init; }

    /// <summary>A folder where the new layers are written; it must outlive the outputs that read them.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Fetches base images from registries.</summary>
    public required ImageFetcher Fetcher { get; init; }

    /// <summary>The base-image cache: a base layer is downloaded into it only when a step reads it.</summary>
    public required BlobStore BaseImageCache { get; init; }

    /// <summary>Labels set on the final image's config (<c>--label</c>), after the Dockerfile's own.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Annotations set on the final image's manifest (<c>--annotation</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Annotations { get; init; } = [];

    /// <summary>Decides whether a <c>RUN</c> of a stage of another platform can run here (binfmt_misc handlers).</summary>
    public PlatformEmulation Emulation { get; init; } = new();

    /// <summary>
    /// How <c>RUN</c> steps are isolated (<c>--isolation</c>): probed once per build when the first step runs.
    /// <see cref="SandboxKind.None"/> makes <c>/</c> of this system the root filesystem of the (only) stage that runs steps.
    /// </summary>
    public SandboxKind Isolation { get; init; } = SandboxKind.Automatic;

    /// <summary>How a snapshot after a <c>RUN</c> step decides what changed (<c>--snapshot-mode</c>).</summary>
    public SnapshotMode SnapshotMode { get; init; } = SnapshotMode.Redo;

    /// <summary>
    /// How a stage's root is made (<c>--stage-root</c>): unpacked into a folder of the stage's own (the default here),
    /// an overlay of layers kept in the layer store when this machine can mount one, or the <c>fuse-overlayfs</c> rung.
    /// </summary>
    public StageRootRung StageRootRung { get; init; }

    /// <summary>
    /// One layer per stage (<c>--single-snapshot</c>): the steps add no layers of their own, and the stage's changes
    /// to its base are written as one layer when its last step is done.
    /// </summary>
    public bool SingleSnapshot { get; init; }

    /// <summary>The layer cache of build steps (<c>--cache</c>), or <c>null</c> when it is off.</summary>
    public LayerCache? LayerCache { get; init; }

    /// <summary>The secrets <c>RUN --mount=type=secret</c> steps may read (<c>--secret</c>).</summary>
    public IReadOnlyList<SecretSource> Secrets { get; init; } = [];

    /// <summary>The SSH agents <c>RUN --mount=type=ssh</c> steps may use (<c>--ssh</c>).</summary>
    public IReadOnlyList<SshSource> SshAgents { get; init; } = [];

    /// <summary>The build's cache folder (<c>--cache-dir</c>): <c>RUN --mount=type=cache</c> folders are kept in its <c>run-cache</c>.</summary>
    public string CacheDirectory { get; init; } = BlobStore.DefaultRoot;

    /// <summary>The most bytes the layer store under <see cref="CacheDirectory"/> keeps; <c>null</c> for its default, 0 for no limit.</summary>
    public long? LayerStoreSize { get; init; }
}

/// <summary>Which rungs of the stage-root ladder a build may take (<c>--stage-root</c>).</summary>
internal enum StageRootRung
{
    /// <summary>The layers are unpacked and a step's changes found by a diff.</summary>
    Unpack,

    /// <summary>The best rung this machine allows (<see cref="StageRootLadder"/>).</summary>
    Automatic,

    /// <summary>The <c>fuse-overlayfs</c> rung, the kernel's passed over; an error where it cannot be used.</summary>
    FuseOverlay,
}
