using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Kaniko.Engine.Oci;

/// <summary>
/// An image configuration (<c>application/vnd.oci.image.config.v1+json</c>, and Docker's
/// <c>application/vnd.docker.container.image.v1+json</c> which extends it). Docker-only fields such as
/// <c>container_config</c> or <c>docker_version</c> are kept in <see cref="AdditionalProperties"/>.
/// Timestamps stay strings: Go writes nanoseconds, which <see cref="DateTimeOffset"/> cannot hold.
/// </summary>
internal sealed record ImageConfigFile : IOciDocument<ImageConfigFile>
{
    /// <summary>"An combined date and time at which the image was created, formatted as defined by RFC 3339".</summary>
    [JsonPropertyName("created")]
    public string? Created { get; init; }

    /// <summary>"Gives the name and/or email address of the person or entity which created and is responsible for maintaining the image."</summary>
    [JsonPropertyName("author")]
    public string? Author { get; init; }

    /// <summary>"The CPU architecture which the binaries in this image are built to run on" (REQUIRED).</summary>
    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = string.Empty;

    /// <summary>"The name of the operating system which the image is built to run on" (REQUIRED).</summary>
    [JsonPropertyName("os")]
    public string Os { get; init; } = string.Empty;

    /// <summary>The operating system version, as in <see cref="Platform.OsVersion"/>.</summary>
    [JsonPropertyName("os.version")]
    public string? OsVersion { get; init; }

    /// <summary>Required operating system features, as in <see cref="Platform.OsFeatures"/>.</summary>
    [JsonPropertyName("os.features")]
    public IReadOnlyList<string>? OsFeatures { get; init; }

    /// <summary>The CPU variant, as in <see cref="Platform.Variant"/>.</summary>
    [JsonPropertyName("variant")]
    public string? Variant { get; init; }

    /// <summary>"The execution parameters which SHOULD be used as a base when running a container using the image."</summary>
    [JsonPropertyName("config")]
    public ContainerConfig? Config { get; init; }

    /// <summary>"The rootfs key references the layer content addresses used by the image" (REQUIRED).</summary>
    [JsonPropertyName("rootfs")]
    public RootFs RootFs { get; init; } = new();

    /// <summary>"Describes the history of each layer. The array is ordered from first to last."</summary>
    [JsonPropertyName("history")]
    public IReadOnlyList<HistoryEntry>? History { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }

    /// <summary>The platform the config describes.</summary>
    [JsonIgnore]
    public Platform Platform => new()
    {
        Os = Os,
        Architecture = Architecture,
        Variant = Variant,
        OsVersion = OsVersion,
        OsFeatures = OsFeatures,
    };

    /// <inheritdoc />
    public static JsonTypeInfo<ImageConfigFile> JsonTypeInfo => OciJsonContext.Default.ImageConfigFile;

    /// <inheritdoc />
    public static MediaType DocumentMediaType => MediaType.OciConfig;

    /// <summary>
    /// Formats a time the way Go's <c>time.Time</c> marshals it (RFC 3339, UTC, fractional seconds without trailing
    /// zeros), for <see cref="Created"/> and <see cref="HistoryEntry.Created"/>.
    /// </summary>
    public static string FormatTimestamp(DateTimeOffset time)
    {
        var text = time.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF", CultureInfo.InvariantCulture);
        return text.TrimEnd('.') + "Z";
    }
}

/// <summary>
/// The <c>config</c> object of an image configuration: the defaults for a container. Names are Docker's
/// upper-camel-case keys, which the OCI spec adopted.
/// </summary>
internal sealed record ContainerConfig
{
    /// <summary>"The username or UID which is a platform-specific structure that allows specific control over which user the process run as."</summary>
    [JsonPropertyName("User")]
    public string? User { get; init; }

    /// <summary>"A set of ports to expose from a container running this image", such as <c>8080/tcp</c>.</summary>
    [JsonPropertyName("ExposedPorts")]
    [JsonConverter(typeof(JsonObjectKeySetConverter))]
    public IReadOnlySet<string>? ExposedPorts { get; init; }

    /// <summary>"Entries are in the format of VARNAME=VARVALUE."</summary>
    [JsonPropertyName("Env")]
    public IReadOnlyList<string>? Env { get; init; }

    /// <summary>"A list of arguments to use as the command to execute when the container starts."</summary>
    [JsonPropertyName("Entrypoint")]
    public IReadOnlyList<string>? Entrypoint { get; init; }

    /// <summary>"Default arguments to the entrypoint of the container." An empty list and no list differ for Docker.</summary>
    [JsonPropertyName("Cmd")]
    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>"A set of directories describing where the process is likely to write data specific to a container instance."</summary>
    [JsonPropertyName("Volumes")]
    [JsonConverter(typeof(JsonObjectKeySetConverter))]
    public IReadOnlySet<string>? Volumes { get; init; }

    /// <summary>"Sets the current working directory of the entrypoint process in the container."</summary>
    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; init; }

    /// <summary>"The field contains arbitrary metadata for the container."</summary>
    [JsonPropertyName("Labels")]
    [JsonConverter(typeof(SortedStringMapConverter))]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>"The field contains the system call signal that will be sent to the container to exit."</summary>
    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; init; }

    /// <summary>Windows-only (deprecated in the spec): the command line is already escaped.</summary>
    [JsonPropertyName("ArgsEscaped")]
    public bool? ArgsEscaped { get; init; }

    /// <summary>Docker's HEALTHCHECK settings.</summary>
    [JsonPropertyName("Healthcheck")]
    public HealthConfig? Healthcheck { get; init; }

    /// <summary>Docker's ONBUILD triggers, as written in the Dockerfile.</summary>
    [JsonPropertyName("OnBuild")]
    public IReadOnlyList<string>? OnBuild { get; init; }

    /// <summary>Docker's SHELL for shell-form commands.</summary>
    [JsonPropertyName("Shell")]
    public IReadOnlyList<string>? Shell { get; init; }

    /// <summary>Fields this model does not know (Docker's <c>Hostname</c>, <c>Image</c>, ...), kept for round trips.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>Docker's health check configuration; durations are nanoseconds, as Go's <c>time.Duration</c>.</summary>
internal sealed record HealthConfig
{
    /// <summary><c>[]</c> inherits, <c>["NONE"]</c> disables, <c>["CMD", ...]</c> or <c>["CMD-SHELL", cmd]</c> runs a check.</summary>
    [JsonPropertyName("Test")]
    public IReadOnlyList<string>? Test { get; init; }

    /// <summary>Time between checks, in nanoseconds; zero inherits.</summary>
    [JsonPropertyName("Interval")]
    public long? Interval { get; init; }

    /// <summary>Time a check may take before it counts as failed, in nanoseconds; zero inherits.</summary>
    [JsonPropertyName("Timeout")]
    public long? Timeout { get; init; }

    /// <summary>Time the container gets to start before failures count, in nanoseconds; zero inherits.</summary>
    [JsonPropertyName("StartPeriod")]
    public long? StartPeriod { get; init; }

    /// <summary>Time between checks during the start period, in nanoseconds; zero inherits.</summary>
    [JsonPropertyName("StartInterval")]
    public long? StartInterval { get; init; }

    /// <summary>Consecutive failures needed to report the container unhealthy; zero inherits.</summary>
    [JsonPropertyName("Retries")]
    public int? Retries { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The <c>rootfs</c> object: the uncompressed layer digests, base first.</summary>
internal sealed record RootFs
{
    /// <summary>"MUST be set to layers."</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "layers";

    /// <summary>"An array of layer content hashes (DiffIDs), in order from first to last" — digests of the uncompressed tars.</summary>
    [JsonPropertyName("diff_ids")]
    public IReadOnlyList<Digest> DiffIds { get; init; } = [];

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>One entry of the config's <c>history</c>, describing how a layer (or a metadata-only step) was made.</summary>
internal sealed record HistoryEntry
{
    /// <summary>"A combined date and time at which the layer was created, formatted as defined by RFC 3339".</summary>
    [JsonPropertyName("created")]
    public string? Created { get; init; }

    /// <summary>"The command which created the layer."</summary>
    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; init; }

    /// <summary>"The author of the build point."</summary>
    [JsonPropertyName("author")]
    public string? Author { get; init; }

    /// <summary>"A custom message set when creating the layer."</summary>
    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    /// <summary>"This field is used to mark if the history item created a filesystem diff" — true when it did not.</summary>
    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; init; }

    /// <summary>Fields this model does not know, kept so that documents survive a round trip (settable because System.Text.Json fills it after construction).</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
