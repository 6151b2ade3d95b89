using System.CommandLine;
using System.Globalization;
using Kaniko.Engine;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Cli;

/// <summary>
/// The options of <c>dotnet kaniko build</c>, with kaniko's names, and their translation into a
/// <see cref="BuildRequest"/>. Values the engine cannot take (a malformed <c>K=V</c>, an unknown compression)
/// are usage errors: <see cref="Bind"/> throws a <see cref="KanikoException"/> for them.
/// </summary>
/// <remarks>
/// One table, kept in one file on purpose: each flag's declaration sits beside its translation, so a flag cannot be
/// added without its binding, and kaniko users can read the whole surface in one place.
/// </remarks>
internal static class BuildOptions
{
    internal static readonly Option<string> Context = new("--context", "-c")
    {
        Description = "The build context: a directory or dir://PATH, tar://PATH (a tar or tar.gz), tar://stdin or - (an archive on standard input), a git URL (git://HOST/PATH#REF#COMMIT, https://HOST/REPO.git#REF:DIR, ssh://..., git@HOST:PATH), an http(s):// archive, or an archive in a bucket (s3://BUCKET/KEY, gs://BUCKET/OBJECT, https://ACCOUNT.blob.core.windows.net/CONTAINER/BLOB).",
        HelpName = "PATH",
        DefaultValueFactory = _ => ".",
    };

    internal static readonly Option<string?> Dockerfile = new("--dockerfile", "-f")
    {
        Description = "The Dockerfile (default: Dockerfile in the context).",
        HelpName = "PATH",
    };

    internal static readonly Option<string[]> BuildArg = Repeatable("--build-arg", "A build argument NAME=VALUE, or NAME to take the value from the environment. Repeatable.", "NAME[=VALUE]");

    internal static readonly Option<string?> Target = new("--target")
    {
        Description = "The stage to build (default: the last one).",
        HelpName = "STAGE",
    };

    internal static readonly Option<bool> DryRun = new("--dry-run")
    {
        Description = "Plan the build and print the stages and steps without building.",
    };

    internal static readonly Option<string[]> Platform = Repeatable(
        "--custom-platform",
        "The platform to build for (TARGETPLATFORM; default: linux on this machine's architecture). Several, comma-separated or repeated, build one image per platform and an image index.",
        "OS/ARCH[/VARIANT][,...]",
        "--platform");

    internal static readonly Option<string[]> Destination = Repeatable("--destination", "An image reference to push to. Repeatable.", "IMAGE", "-d");

    internal static readonly Option<bool> NoPush = new("--no-push") { Description = "Build without pushing." };

    internal static readonly Option<string?> TarPath = Path("--tar-path", "Write the image as a docker load tarball.");

    internal static readonly Option<string?> OciLayoutPath = Path("--oci-layout-path", "Write the image into an OCI image layout folder.");

    internal static readonly Option<string?> DigestFile = Path("--digest-file", "Write the image's digest to this file.");

    internal static readonly Option<string?> ImageNameWithDigestFile = Path("--image-name-with-digest-file", "Write REPOSITORY@DIGEST per destination to this file.");

    internal static readonly Option<string?> ImageNameTagWithDigestFile = Path("--image-name-tag-with-digest-file", "Write REPOSITORY:TAG@DIGEST per destination to this file.");

    internal static readonly Option<bool> Insecure = new("--insecure") { Description = "Push to plain-HTTP registries." };

    internal static readonly Option<bool> InsecurePull = new("--insecure-pull") { Description = "Pull from plain-HTTP registries." };

    internal static readonly Option<string[]> InsecureRegistry = Repeatable("--insecure-registry", "A registry that may be reached over plain HTTP. Repeatable.", "REGISTRY");

    internal static readonly Option<bool> SkipTlsVerify = new("--skip-tls-verify") { Description = "Push without verifying registry certificates." };

    internal static readonly Option<bool> SkipTlsVerifyPull = new("--skip-tls-verify-pull") { Description = "Pull without verifying registry certificates." };

    internal static readonly Option<string[]> SkipTlsVerifyRegistry = Repeatable("--skip-tls-verify-registry", "A registry whose certificate is not verified. Repeatable.", "REGISTRY");

    internal static readonly Option<string[]> RegistryCertificate = Repeatable("--registry-certificate", "A CA certificate to trust for a registry, REGISTRY=PATH. Repeatable.", "REGISTRY=PATH");

    internal static readonly Option<string[]> RegistryMirror = Repeatable("--registry-mirror", "A Docker Hub mirror, host[:port][/prefix], tried in order. Repeatable.", "MIRROR");

    internal static readonly Option<int?> PushRetry = new("--push-retry") { Description = "How many times a failed push request is retried.", HelpName = "N" };

    internal static readonly Option<string?> TransferStallTimeout = new("--transfer-stall-timeout")
    {
        Description = "How long a blob upload or download may move no data before it is retried or fails, a Go duration (default 2m).",
        HelpName = "DURATION",
    };

    internal static readonly Option<int?> ImageDownloadRetry = new("--image-download-retry") { Description = "How many times a failed pull request is retried.", HelpName = "N" };

    internal static readonly Option<string[]> Label = Repeatable("--label", "A label KEY=VALUE of the image's config. Repeatable.", "KEY=VALUE");

    internal static readonly Option<string[]> Annotation = Repeatable("--annotation", "An annotation KEY=VALUE of the image's manifest. Repeatable.", "KEY=VALUE");

    internal static readonly Option<bool> Reproducible = new("--reproducible")
    {
        Description = "Fix every time in the image (Unix epoch, or SOURCE_DATE_EPOCH) so the same inputs give the same digest.",
    };

    internal static readonly Option<string?> Compression = new("--compression")
    {
        Description = "The compression of new layers: gzip (default) or zstd.",
        HelpName = "gzip|zstd",
    };

    internal static readonly Option<string?> ImageFormat = new("--image-format")
    {
        Description = "The media types of the image: oci or docker (Docker v2 schema 2). Default: pushes keep the base image's, an OCI layout gets OCI's.",
        HelpName = "oci|docker",
    };

    internal static readonly Option<int?> CompressionLevel = new("--compression-level")
    {
        Description = "The compression level (gzip 0-9, zstd 1-22).",
        HelpName = "N",
    };

    internal static readonly Option<string?> CacheDir = Path("--cache-dir", "Where base-image layers and local layer-cache entries are kept between builds (default: $KANIKO_CACHE_DIR, else the user's cache folder).");

    internal static readonly Option<bool> Cache = new("--cache")
    {
        Description = "Use the layer cache: a step whose inputs are unchanged reuses its cached layer instead of running.",
    };

    internal static readonly Option<string?> CacheRepo = new("--cache-repo")
    {
        Description = "The repository of cached layers (default: the first destination's repository + /cache; without destinations the cache is local only).",
        HelpName = "REPOSITORY",
    };

    internal static readonly Option<string?> CacheTtl = new("--cache-ttl")
    {
        Description = "How long a cached layer is used after it was stored, a Go duration (default 336h).",
        HelpName = "DURATION",
    };

    internal static readonly Option<bool> CacheCopyLayers = new("--cache-copy-layers")
    {
        Description = "Also cache COPY and ADD layers.",
    };

    internal static readonly Option<bool> CacheRunLayers = new("--cache-run-layers")
    {
        Description = "Cache RUN layers (default true; --cache-run-layers=false turns it off).",
        DefaultValueFactory = _ => true,
    };

    internal static readonly Option<string?> Isolation = new("--isolation")
    {
        Description = "How RUN steps are isolated: auto (default: bubblewrap, else chroot as root), bwrap, chroot, or none "
            + "(kaniko's own mode: steps change / of this system; only in a throw-away container). Default: $KANIKO_ISOLATION, else auto.",
        HelpName = "auto|bwrap|chroot|none",
    };

    internal static readonly Option<string?> SnapshotMode = new("--snapshot-mode")
    {
        Description = "How a RUN step's changes are found: redo (default: metadata), full (content hashes) or time (modification times only).",
        HelpName = "redo|full|time",
    };

    internal static readonly Option<string?> StageRoot = new("--stage-root")
    {
        Description = "How a stage's root is made for RUN: auto (default: an overlay of the layer store when one can be mounted), unpack, "
            + "or fuse-overlay (the fuse-overlayfs rung, the kernel's overlay passed over; an error where it cannot be used).",
        HelpName = "auto|unpack|fuse-overlay",
    };

    internal static readonly Option<string?> LayerStoreSize = new("--layer-store-size")
    {
        Description = "The most the cache directory's store of unpacked layers keeps; least recently used layers no build holds are removed beyond it "
            + "(bytes, or with a K, M or G suffix: 1024-based; 0: no limit). Default: a tenth of the file system holding the cache directory, at most 20G.",
        HelpName = "SIZE",
    };

    internal static readonly Option<bool> SingleSnapshot = new("--single-snapshot")
    {
        Description = "Write one layer per stage, with everything its steps changed, instead of one per step.",
    };

    internal static readonly Option<string[]> Secret = Repeatable(
        "--secret",
        "A secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VARIABLE (type=file|env as in docker buildx; an id alone reads the variable of that name if set, else the file). Repeatable.",
        "id=ID[,src=FILE|,env=VAR]");

    internal static readonly Option<string[]> Ssh = Repeatable(
        "--ssh",
        "An SSH agent for RUN --mount=type=ssh: default (or ID) for the agent at $SSH_AUTH_SOCK, or ID=SOCKET. Only agent sockets, not key files. Repeatable.",
        "default|ID[=SOCKET]");

    internal static readonly Option<string> Verbosity = new("--verbosity", "-v")
    {
        Description = "How much to print: panic, fatal, error, warn, info (default), debug or trace.",
        HelpName = "LEVEL",
        DefaultValueFactory = _ => "info",
    };

    internal static readonly Option<string?> LogFormat = new("--log-format")
    {
        Description = "The format of log lines: text, color (default on a terminal) or json (one object per line on standard error).",
        HelpName = "text|color|json",
    };

    internal static readonly Option<bool> LogTimestamp = new("--log-timestamp")
    {
        Description = "Start each text log line with the time.",
    };

    internal static readonly Option<string?> Progress = new("--progress")
    {
        Description = "How transfers are shown: auto (default: live bars on a terminal outside CI), tty (live bars) or plain (one line per transfer).",
        HelpName = "auto|tty|plain",
    };

    internal static readonly Option<string[]> Git = Repeatable(
        "--git",
        "Options of a git context: branch=NAME, single-branch=true|false, recurse-submodules=true|false, insecure-skip-tls=true|false, comma-separated. Repeatable.",
        "KEY=VALUE[,...]");

    internal static readonly Option<string?> ContextSubPath = new("--context-sub-path")
    {
        Description = "A sub-directory of the context to use as the context (for any kind of context).",
        HelpName = "DIR",
    };

    internal static IEnumerable<Option> All =>
    [
        Context, Dockerfile, BuildArg, Target, DryRun, Platform, Destination, NoPush, TarPath, OciLayoutPath, DigestFile,
        ImageNameWithDigestFile, ImageNameTagWithDigestFile, Insecure, InsecurePull, InsecureRegistry, SkipTlsVerify,
        SkipTlsVerifyPull, SkipTlsVerifyRegistry, RegistryCertificate, RegistryMirror, PushRetry, ImageDownloadRetry, TransferStallTimeout,
        Label, Annotation, Reproducible, Compression, CompressionLevel, ImageFormat, CacheDir, Verbosity, Isolation, SnapshotMode,
        StageRoot, LayerStoreSize, SingleSnapshot, LogFormat, LogTimestamp, Progress, Secret, Ssh,
        Cache, CacheRepo, CacheTtl, CacheCopyLayers, CacheRunLayers,
        Git, ContextSubPath, .. AttestationFlags.All,
    ];

    /// <summary>The request the parsed options describe; <paramref name="environment"/> gives <c>--build-arg NAME</c> values and <c>SOURCE_DATE_EPOCH</c>.</summary>
    internal static BuildRequest Bind(ParseResult parse, Func<string, string?> environment)
    {
        var registry = new RegistrySettings
        {
            InsecurePush = parse.GetValue(Insecure),
            InsecurePull = parse.GetValue(InsecurePull),
            InsecureRegistries = Set(parse.GetValue(InsecureRegistry)),
            SkipTlsVerifyPush = parse.GetValue(SkipTlsVerify),
            SkipTlsVerifyPull = parse.GetValue(SkipTlsVerifyPull),
            SkipTlsVerifyRegistries = Set(parse.GetValue(SkipTlsVerifyRegistry)),
            RegistryCertificates = RegistrySettings.ParseRegistryCertificates(parse.GetValue(RegistryCertificate) ?? []),
            RegistryMirrors = parse.GetValue(RegistryMirror) ?? [],
        };
        if (parse.GetValue(PushRetry) is { } pushRetries)
        {
            registry = registry with { PushRetries = NonNegative("--push-retry", pushRetries) };
        }

        if (parse.GetValue(ImageDownloadRetry) is { } pullRetries)
        {
            registry = registry with { PullRetries = NonNegative("--image-download-retry", pullRetries) };
        }

        if (parse.GetValue(TransferStallTimeout) is { } stall)
        {
            registry = registry with
            {
                TransferStallTimeout = RegistrySettings.TryParseDuration(stall, out var timeout) && timeout > TimeSpan.Zero
                    ? timeout
                    : throw Usage($"--transfer-stall-timeout must be a positive Go duration (30s, 2m), not '{stall}'"),
            };
        }

        return new BuildRequest
        {
            Context = parse.GetValue(Context) ?? ".",
            RemoteContextSources = Contexts.BucketContextSources.Create(environment),
            Dockerfile = parse.GetValue(Dockerfile),
            BuildArgs = BuildRequest.ParseBuildArgs(parse.GetValue(BuildArg) ?? [], environment),
            Target = parse.GetValue(Target),
            Platforms = Platforms(parse.GetValue(Platform)),
            Destinations = Destinations(parse.GetValue(Destination)),
            NoPush = parse.GetValue(NoPush),
            TarPath = parse.GetValue(TarPath),
            OciLayoutPath = parse.GetValue(OciLayoutPath),
            DigestFile = parse.GetValue(DigestFile),
            ImageNameWithDigestFile = parse.GetValue(ImageNameWithDigestFile),
            ImageNameTagWithDigestFile = parse.GetValue(ImageNameTagWithDigestFile),
            Labels = KeyValues("--label", parse.GetValue(Label)),
            Annotations = KeyValues("--annotation", parse.GetValue(Annotation)),
            Reproducible = parse.GetValue(Reproducible),
            SourceDateEpoch = SourceDateEpoch(environment("SOURCE_DATE_EPOCH")),
            Layers = LayerOptions(ParseCompression(parse.GetValue(Compression)), parse.GetValue(CompressionLevel)),
            ImageFormat = ParseImageFormat(parse.GetValue(ImageFormat)),
            CacheDirectory = parse.GetValue(CacheDir),
            Cache = new LayerCacheSettings
            {
                Enabled = parse.GetValue(Cache),
                Repository = parse.GetValue(CacheRepo),
                Ttl = parse.GetValue(CacheTtl) is { } ttl ? LayerCacheSettings.ParseTtl(ttl) : LayerCacheSettings.DefaultTtl,
                CopyLayers = parse.GetValue(CacheCopyLayers),
                RunLayers = parse.GetValue(CacheRunLayers),
            },
            Registry = registry,
            // The executor image sets KANIKO_ISOLATION=none: there, / of the container is the stage's rootfs, as in kaniko.
            Isolation = ParseIsolation(parse.GetValue(Isolation) ?? NullIfEmpty(environment("KANIKO_ISOLATION"))),
            SnapshotMode = ParseSnapshotMode(parse.GetValue(SnapshotMode)),
            StageRoot = ParseStageRoot(parse.GetValue(StageRoot)),
            LayerStoreSize = ParseLayerStoreSize(parse.GetValue(LayerStoreSize)),
            SingleSnapshot = parse.GetValue(SingleSnapshot),
            Secrets = [.. (parse.GetValue(Secret) ?? []).Select(s => BuildSecret.Parse(s, environment))],
            SshAgents = [.. (parse.GetValue(Ssh) ?? []).Select(s => SshAgent.Parse(s, environment))],
            ContextSubPath = NullIfEmpty(parse.GetValue(ContextSubPath)),
            Attestations = AttestationFlags.Bind(parse, environment),
            Git = GitContextSettings.FromEnvironment(parse.GetValue(Git) ?? [], environment),
            StandardInput = Console.OpenStandardInput,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IsolationKind ParseIsolation(string? value) => value?.ToLowerInvariant() switch
    {
        null or "auto" => IsolationKind.Automatic,
        "bwrap" or "bubblewrap" => IsolationKind.Bubblewrap,
        "chroot" => IsolationKind.Chroot,
        "none" => IsolationKind.None,
        _ => throw Usage($"--isolation must be auto, bwrap, chroot or none, not '{value}'"),
    };

    private static SnapshotKind ParseSnapshotMode(string? value) => value?.ToLowerInvariant() switch
    {
        null or "redo" => SnapshotKind.Redo,
        "full" => SnapshotKind.Full,
        "time" => SnapshotKind.Time,
        _ => throw Usage($"--snapshot-mode must be redo, full or time, not '{value}'"),
    };

    private static long? ParseLayerStoreSize(string? value) => value switch
    {
        null => null,
        _ when ByteSize.TryParse(value, out var bytes) => bytes,
        _ => throw Usage($"--layer-store-size must be a size (for example 10G, 500M, or 0 for no limit), not '{value}'"),
    };

    private static StageRootKind ParseStageRoot(string? value) => value?.ToLowerInvariant() switch
    {
        null or "auto" => StageRootKind.Automatic,
        "unpack" => StageRootKind.Unpack,
        "fuse-overlay" => StageRootKind.FuseOverlay,
        _ => throw Usage($"--stage-root must be auto, unpack or fuse-overlay, not '{value}'"),
    };

    // Every value is parsed here so a typo is a usage error before anything runs; the engine drops repeats.
    private static string[] Platforms(string[]? values)
    {
        var specifiers = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        return [.. specifiers.Select(s => Kaniko.Engine.Oci.Platform.Parse(s).ToString())];
    }

    private static Option<string[]> Repeatable(string name, string description, string helpName, params string[] aliases) => new(name, aliases)
    {
        Description = description,
        HelpName = helpName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    private static Option<string?> Path(string name, string description) => new(name) { Description = description, HelpName = "PATH" };

    /// <summary>The destinations as given, each checked to be an image reference (a usage error otherwise).</summary>
    private static string[] Destinations(string[]? values)
    {
        foreach (var value in values ?? [])
        {
            if (!Kaniko.Engine.Oci.ImageReference.TryParse(value, out _, out var reason))
            {
                throw Usage($"--destination '{value}' is not an image reference: {reason}");
            }
        }

        return values ?? [];
    }

    private static HashSet<string> Set(string[]? values) => new(values ?? [], StringComparer.OrdinalIgnoreCase);

    private static int NonNegative(string option, int value) =>
        value >= 0 ? value : throw Usage($"{option} must be 0 or more, not {value.ToString(CultureInfo.InvariantCulture)}");

    private static List<KeyValuePair<string, string>> KeyValues(string option, string[]? values)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Usage($"{option} needs KEY=VALUE, not '{value}'");
            }

            pairs.Add(new(value[..equals], value[(equals + 1)..]));
        }

        return pairs;
    }

    private static CompressionKind ParseCompression(string? value) => value?.ToLowerInvariant() switch
    {
        null or "gzip" => CompressionKind.Gzip,
        "zstd" => CompressionKind.Zstd,
        _ => throw Usage($"--compression must be gzip or zstd, not '{value}'"),
    };

    private static Kaniko.Engine.ImageFormat? ParseImageFormat(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        "oci" => Kaniko.Engine.ImageFormat.Oci,
        "docker" => Kaniko.Engine.ImageFormat.Docker,
        _ => throw Usage($"--image-format must be oci or docker, not '{value}'"),
    };

    // A level out of the compression's range is a malformed option value, found before anything is built.
    private static LayerSettings LayerOptions(CompressionKind compression, int? level)
    {
        var settings = new LayerSettings { Compression = compression, CompressionLevel = level };
        try
        {
            settings.Validate();
        }
        catch (KanikoException e) when (e.Code == DiagnosticCodes.InvalidCompressionLevel)
        {
            throw Usage("--compression-level: " + e.Detail);
        }

        return settings;
    }

    private static DateTimeOffset? SourceDateEpoch(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw Usage($"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not '{value}'");
    }

    private static KanikoException Usage(string detail) => new(DiagnosticCodes.InvalidRequest, detail);
}
