using System.Globalization;
using System.Reflection;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Registry.Auth;

namespace Kaniko.Engine.Registry;

/// <summary>Whether a request reads from a registry (base images, cache) or writes to it (the build's destinations).</summary>
internal enum RegistryAccess
{
    /// <summary>Reading: kaniko's <c>--insecure-pull</c>, <c>--skip-tls-verify-pull</c> and <c>--image-download-retry</c> apply.</summary>
    Pull,

    /// <summary>Writing: kaniko's <c>--insecure</c>, <c>--skip-tls-verify</c> and <c>--push-retry</c> apply.</summary>
    Push,
}

/// <summary>
/// How the registry client talks to registries, resolved from kaniko's flags. Registry names are <c>host[:port]</c>
/// as image references spell them; Docker Hub's aliases are one registry.
/// </summary>
internal sealed record RegistryOptions
{
    /// <summary>The most bytes a manifest or index may have; the distribution registry refuses larger ones too.</summary>
    public const int MaxManifestSize = 4 * 1024 * 1024;

    /// <summary>The User-Agent every request carries unless <see cref="UserAgent"/> says otherwise.</summary>
    public static string DefaultUserAgent { get; } = "kaniko-dotnet/" + EngineVersion();

    /// <summary>Registries reached over plain HTTP for pulls and pushes (<c>--insecure-registry</c>).</summary>
    public IReadOnlySet<string> InsecureRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every push destination may be plain HTTP (<c>--insecure</c>).</summary>
    public bool InsecurePush { get; init; }

    /// <summary>Every pull source may be plain HTTP (<c>--insecure-pull</c>).</summary>
    public bool InsecurePull { get; init; }

    /// <summary>Registries whose TLS certificate is not verified (<c>--skip-tls-verify-registry</c>).</summary>
    public IReadOnlySet<string> SkipTlsVerifyRegistries { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Push destinations' certificates are not verified (<c>--skip-tls-verify</c>).</summary>
    public bool SkipTlsVerifyPush { get; init; }

    /// <summary>Pull sources' certificates are not verified (<c>--skip-tls-verify-pull</c>).</summary>
    public bool SkipTlsVerifyPull { get; init; }

    /// <summary>
    /// A CA certificate file (PEM or DER) per registry, trusted in addition to the system's
    /// (<c>--registry-certificate REGISTRY=FILE</c>; see <see cref="ParseRegistryCertificates"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> RegistryCertificates { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Mirrors of Docker Hub, <c>host[:port][/path-prefix]</c>, tried in order for pulls from Docker Hub before Docker
    /// Hub itself (<c>--registry-mirror</c>).
    /// </summary>
    public IReadOnlyList<string> RegistryMirrors { get; init; } = [];

    /// <summary>When mirrors are configured and all fail, do not fall back to Docker Hub (<c>--skip-default-registry-fallback</c>).</summary>
    public bool SkipDefaultRegistryFallback { get; init; }

    /// <summary>
    /// Retries of a failed push request after the first attempt (<c>--push-retry</c>). The default 3 is what
    /// go-containerregistry's transport does on its own; kaniko's flag defaults to 0 but adds to that.
    /// </summary>
    public int PushRetries { get; init; } = 3;

    /// <summary>Retries of a failed pull request after the first attempt (<c>--image-download-retry</c>).</summary>
    public int PullRetries { get; init; } = 3;

    /// <summary>The first delay between attempts; it doubles (with jitter) for each retry.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts, also the cap on a registry's <c>Retry-After</c>.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a request without a large body (ping, manifest, HEAD, upload start) may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a blob upload or download may go without moving a byte before it is abandoned: an upload is then
    /// retried like any transient failure, a download fails naming the blob (<c>--transfer-stall-timeout</c>). A
    /// registry that stops reading or sending would otherwise hold the build forever.
    /// </summary>
    public TimeSpan TransferStallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long opening a connection may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The User-Agent header of every request.</summary>
    public string UserAgent { get; init; } = DefaultUserAgent;

    /// <summary>How many blobs are uploaded at the same time.</summary>
    public int MaxParallelUploads { get; init; } = 4;

    /// <summary>
    /// When set, blobs are uploaded in chunks of this many bytes (PATCH, then PUT) instead of one PUT; either way
    /// the other method is tried when a registry refuses the first.
    /// </summary>
    public long? UploadChunkSize { get; init; }

    /// <summary>True when requests to <paramref name="registry"/> for <paramref name="access"/> may use plain HTTP.</summary>
    public bool IsInsecure(string registry, RegistryAccess access) =>
        (access == RegistryAccess.Push ? InsecurePush : InsecurePull) || Contains(InsecureRegistries, registry);

    /// <summary>True when the TLS certificate of <paramref name="registry"/> is not verified for <paramref name="access"/>.</summary>
    public bool SkipsTlsVerify(string registry, RegistryAccess access) =>
        (access == RegistryAccess.Push ? SkipTlsVerifyPush : SkipTlsVerifyPull) || Contains(SkipTlsVerifyRegistries, registry);

    /// <summary>The CA file configured for <paramref name="registry"/>, if any.</summary>
    public string? CertificateFor(string registry) =>
        RegistryCertificates.FirstOrDefault(pair => RegistryHostNames.SameRegistry(pair.Key, registry)).Value;

    /// <summary>The retries allowed after a first failed attempt.</summary>
    public int RetriesFor(RegistryAccess access) => Math.Max(0, access == RegistryAccess.Push ? PushRetries : PullRetries);

    /// <summary>
    /// Reads kaniko's <c>--registry-certificate</c> values, <c>REGISTRY=FILE</c>; throws <c>KANIKO3215</c> for a value
    /// without both parts.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ParseRegistryCertificates(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == value.Length - 1)
            {
                throw new KanikoException(
                    DiagnosticCodes.InvalidRegistryOption,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidRegistryOption, "--registry-certificate", value, "expected REGISTRY=FILE, for example my.registry:5000=/certs/ca.pem"));
            }

            result[value[..equals]] = value[(equals + 1)..];
        }

        return result;
    }

    private static bool Contains(IEnumerable<string> registries, string registry) =>
        registries.Any(r => RegistryHostNames.SameRegistry(r, registry));

    private static string EngineVersion()
    {
        var assembly = typeof(RegistryOptions).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0.0.0";
        // Drop the "+commit" build metadata: the User-Agent names a release, not a build.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
