using System.Globalization;
using System.Text.Json.Serialization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// The media type of a blob or document, for example <c>application/vnd.oci.image.manifest.v1+json</c>.
/// Construction does not validate, because registries and old images carry types this tool never heard of and
/// those must still be read and passed on; <see cref="IsWellFormed"/> checks the RFC 6838 shape the OCI schema uses
/// and <see cref="Parse"/> insists on it.
/// </summary>
[JsonConverter(typeof(MediaTypeJsonConverter))]
public readonly record struct MediaType
{
    private readonly string? _value;

    /// <summary>Wraps a media type string (without parameters such as <c>; charset=</c>), unvalidated.</summary>
    public MediaType(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>OCI image manifest.</summary>
    public static readonly MediaType OciManifest = new("application/vnd.oci.image.manifest.v1+json");
    /// <summary>OCI image index.</summary>
    public static readonly MediaType OciIndex = new("application/vnd.oci.image.index.v1+json");
    /// <summary>OCI image configuration.</summary>
    public static readonly MediaType OciConfig = new("application/vnd.oci.image.config.v1+json");
    /// <summary>OCI content descriptor (used on its own only for validation).</summary>
    public static readonly MediaType OciDescriptor = new("application/vnd.oci.descriptor.v1+json");
    /// <summary>The <c>oci-layout</c> file of an image layout directory.</summary>
    public static readonly MediaType OciLayoutHeader = new("application/vnd.oci.layout.header.v1+json");
    /// <summary>The empty descriptor's type: the two bytes <c>{}</c>, used as config of artifacts.</summary>
    public static readonly MediaType OciEmpty = new("application/vnd.oci.empty.v1+json");
    /// <summary>Uncompressed OCI layer.</summary>
    public static readonly MediaType OciLayer = new("application/vnd.oci.image.layer.v1.tar");
    /// <summary>Gzip-compressed OCI layer.</summary>
    public static readonly MediaType OciLayerGzip = new("application/vnd.oci.image.layer.v1.tar+gzip");
    /// <summary>Zstandard-compressed OCI layer.</summary>
    public static readonly MediaType OciLayerZstd = new("application/vnd.oci.image.layer.v1.tar+zstd");
    /// <summary>Uncompressed non-distributable OCI layer (deprecated by the spec, still read).</summary>
    public static readonly MediaType OciLayerNondistributable = new("application/vnd.oci.image.layer.nondistributable.v1.tar");
    /// <summary>Gzip-compressed non-distributable OCI layer (deprecated by the spec, still read).</summary>
    public static readonly MediaType OciLayerNondistributableGzip = new("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
    /// <summary>Zstandard-compressed non-distributable OCI layer (deprecated by the spec, still read).</summary>
    public static readonly MediaType OciLayerNondistributableZstd = new("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd");
    /// <summary>Docker image manifest, schema 2.</summary>
    public static readonly MediaType DockerManifest = new("application/vnd.docker.distribution.manifest.v2+json");
    /// <summary>Docker manifest list (the Docker counterpart of an OCI index).</summary>
    public static readonly MediaType DockerManifestList = new("application/vnd.docker.distribution.manifest.list.v2+json");
    /// <summary>Docker container image configuration.</summary>
    public static readonly MediaType DockerConfig = new("application/vnd.docker.container.image.v1+json");
    /// <summary>Gzip-compressed Docker layer.</summary>
    public static readonly MediaType DockerLayerGzip = new("application/vnd.docker.image.rootfs.diff.tar.gzip");
    /// <summary>Uncompressed Docker layer.</summary>
    public static readonly MediaType DockerLayer = new("application/vnd.docker.image.rootfs.diff.tar");
    /// <summary>Gzip-compressed Docker foreign layer (fetched from its <c>urls</c>, never pushed).</summary>
    public static readonly MediaType DockerForeignLayerGzip = new("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    /// <summary>Arbitrary bytes; some old images label their config this way.</summary>
    public static readonly MediaType OctetStream = new("application/octet-stream");

    /// <summary>The media type string; empty for <c>default(MediaType)</c>.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>An OCI image index or a Docker manifest list.</summary>
    public bool IsIndex => this == OciIndex || this == DockerManifestList;

    /// <summary>An OCI image manifest or a Docker schema 2 manifest.</summary>
    public bool IsManifest => this == OciManifest || this == DockerManifest;

    /// <summary>An OCI or Docker image configuration.</summary>
    public bool IsConfig => this == OciConfig || this == DockerConfig;

    /// <summary>Any OCI or Docker layer type, distributable or not, compressed or not.</summary>
    public bool IsLayer =>
        this == OciLayer || this == OciLayerGzip || this == OciLayerZstd
        || IsForeign
        || this == DockerLayer || this == DockerLayerGzip;

    /// <summary>Content compressed with gzip (<c>+gzip</c> suffix, or Docker's <c>.tar.gzip</c>).</summary>
    public bool IsGzip =>
        Value.EndsWith("+gzip", StringComparison.Ordinal) || Value.EndsWith(".tar.gzip", StringComparison.Ordinal);

    /// <summary>Content compressed with Zstandard (<c>+zstd</c> suffix).</summary>
    public bool IsZstd => Value.EndsWith("+zstd", StringComparison.Ordinal);

    /// <summary>
    /// A non-distributable (foreign) layer: registries do not store it and pushes skip it; its bytes come from the
    /// descriptor's <c>urls</c>.
    /// </summary>
    public bool IsForeign =>
        this == OciLayerNondistributable || this == OciLayerNondistributableGzip || this == OciLayerNondistributableZstd
        || this == DockerForeignLayerGzip;

    /// <summary>A Docker (not OCI) document or layer type.</summary>
    public bool IsDocker => Value.StartsWith("application/vnd.docker.", StringComparison.Ordinal);

    /// <summary>
    /// True when the value matches the OCI schema's pattern
    /// <c>^[A-Za-z0-9][A-Za-z0-9!#$&amp;^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&amp;^_.+-]{0,126}$</c> (RFC 6838 names).
    /// </summary>
    public bool IsWellFormed
    {
        get
        {
            var slash = Value.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 && IsRestrictedName(Value.AsSpan(0, slash)) && IsRestrictedName(Value.AsSpan(slash + 1));
        }
    }

    /// <summary>Parses and validates a media type; throws <c>KANIKO3004</c> when it is not well-formed.</summary>
    public static MediaType Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mediaType = new MediaType(value);
        if (!mediaType.IsWellFormed)
        {
            throw new KanikoException(
                DiagnosticCodes.InvalidMediaType,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidMediaType, value));
        }

        return mediaType;
    }

    /// <summary>Ordinal comparison of the strings; <c>default</c> equals the empty media type.</summary>
    public bool Equals(MediaType other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The media type string.</summary>
    public override string ToString() => Value;

    private static bool IsRestrictedName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 127 || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name[1..])
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$&^_.+-".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
