using Kaniko.Engine.Registry;

namespace Kaniko.Engine;

/// <summary>
/// How the build talks to registries, in kaniko's flags (<c>--insecure</c>, <c>--skip-tls-verify</c>,
/// <c>--registry-mirror</c>, <c>--push-retry</c>, ...). The engine's registry client reads these values; hosts set
/// them and never see the client.
/// </summary>
public sealed record RegistrySettings
{
    /// <summary>Registries reached over plain HTTP (<c>--insecure-registry</c>), by host name and optional port.</summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Pushes to every registry use plain HTTP (<c>--insecure</c>).</summary>
    public bool InsecurePush { get; init; }

    /// <summary>Pulls from every registry use plain HTTP (<c>--insecure-pull</c>).</summary>
    public bool InsecurePull { get; init; }

    /// <summary>Registries whose TLS certificate is not verified (<c>--skip-tls-verify-registry</c>).</summary>
    public IReadOnlySet<string> SkipTlsVerifyRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Pushes do not verify TLS certificates (<c>--skip-tls-verify</c>).</summary>
    public bool SkipTlsVerifyPush { get; init; }

    /// <summary>Pulls do not verify TLS certificates (<c>--skip-tls-verify-pull</c>).</summary>
    public bool SkipTlsVerifyPull { get; init; }

    /// <summary>A CA certificate file per registry (<c>--registry-certificate REGISTRY=FILE</c>).</summary>
    public IReadOnlyDictionary<string, string> RegistryCertificates { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Mirrors tried in order for Docker Hub pulls (<c>--registry-mirror</c>).</summary>
    public IReadOnlyList<string> RegistryMirrors { get; init; } = [];

    /// <summary>Pulls fail instead of falling back to Docker Hub when every mirror fails (<c>--skip-default-registry-fallback</c>).</summary>
    public bool SkipDefaultRegistryFallback { get; init; }

    /// <summary>Retries of a failed push request (<c>--push-retry</c>).</summary>
    public int PushRetries { get; init; } = 3;

    /// <summary>Retries of a failed pull request (<c>--image-download-retry</c>).</summary>
    public int PullRetries { get; init; } = 3;

    /// <summary>The first retry's delay; each retry doubles it, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between retries, <c>Retry-After</c> included.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one request may take before it counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long opening a connection may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>User-Agent</c> header of every request.</summary>
    public string UserAgent { get; init; } = RegistryOptions.DefaultUserAgent;

    /// <summary>
    /// How long a blob upload or download may go without moving a byte before it is abandoned
    /// (<c>--transfer-stall-timeout</c>): an upload is retried, a download fails naming the blob.
    /// </summary>
    public TimeSpan TransferStallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How many blobs are uploaded at once.</summary>
    public int MaxParallelUploads { get; init; } = 4;

    /// <summary>Uploads in chunks of this many bytes, or in one request when <c>null</c>.</summary>
    public long? UploadChunkSize { get; init; }

    /// <summary>
    /// Also reads the .NET SDK's credential variables (<c>DOTNET_CONTAINER_PUSH_REGISTRY_UNAME</c>/<c>_PWORD</c> and
    /// the pull pair), after <c>KANIKO_REGISTRY_*</c> and before docker's <c>config.json</c>, as <c>Kaniko.Sdk</c> does
    /// so that a pipeline that pushes with <c>/t:PublishContainer</c> pushes unchanged. The push pair is offered to the
    /// destinations' registries only.
    /// </summary>
    public bool DotnetSdkCredentials { get; init; }

    /// <summary>
    /// Parses <c>--registry-certificate</c> values (<c>REGISTRY=FILE</c>). Throws a <c>KANIKO3215</c>
    /// <see cref="Diagnostics.KanikoException"/> naming the value at fault.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseRegistryCertificates(IEnumerable<string> values) =>
        RegistryOptions.ParseRegistryCertificates(values);

    /// <summary>
    /// Parses a duration as Go's <c>time.ParseDuration</c> does (<c>30s</c>, <c>2m</c>, <c>1h30m</c>), as kaniko's
    /// duration flags take it; false when <paramref name="text"/> is not one.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration) => Compat.GoDuration.TryParse(text, out duration);

    /// <summary>The registry client's options these settings describe.</summary>
    internal RegistryOptions ToOptions() => new()
    {
        InsecureRegistries = InsecureRegistries,
        InsecurePush = InsecurePush,
        InsecurePull = InsecurePull,
        SkipTlsVerifyRegistries = SkipTlsVerifyRegistries,
        SkipTlsVerifyPush = SkipTlsVerifyPush,
        SkipTlsVerifyPull = SkipTlsVerifyPull,
        RegistryCertificates = RegistryCertificates,
        RegistryMirrors = RegistryMirrors,
        SkipDefaultRegistryFallback = SkipDefaultRegistryFallback,
        PushRetries = PushRetries,
        PullRetries = PullRetries,
        RetryBaseDelay = RetryBaseDelay,
        MaxRetryDelay = MaxRetryDelay,
        RequestTimeout = RequestTimeout,
        ConnectTimeout = ConnectTimeout,
        UserAgent = UserAgent,
        TransferStallTimeout = TransferStallTimeout,
        MaxParallelUploads = MaxParallelUploads,
        UploadChunkSize = UploadChunkSize,
    };
}
