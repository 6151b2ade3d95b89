using Kaniko.Engine.Images;
using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// The attestation manifest BuildKit attaches beside each image in an index: an OCI image manifest whose layers are
/// in-toto statements (<c>application/vnd.in-toto+json</c>, annotated with <c>in-toto.io/predicate-type</c>), with a
/// config for platform <c>unknown/unknown</c> so that no runtime ever picks it. Its index entry carries
/// <see cref="ReferenceTypeAnnotation"/> and <see cref="ReferenceDigestAnnotation"/> naming the image it describes.
/// </summary>
internal sealed class AttestationManifest : IImage
{
    /// <summary>The index annotation that marks an entry as an attestation manifest.</summary>
    public const string ReferenceTypeAnnotation = "vnd.docker.reference.type";

    /// <summary>The value of <see cref="ReferenceTypeAnnotation"/>.</summary>
    public const string ReferenceType = "attestation-manifest";

    /// <summary>The index annotation that names the digest of the image an attestation manifest describes.</summary>
    public const string ReferenceDigestAnnotation = "vnd.docker.reference.digest";

    private AttestationManifest(RawJson<ImageManifest> manifest, RawJson<ImageConfigFile> config, IReadOnlyList<StatementLayer> statements, Digest subject)
    {
        Manifest = manifest;
        Config = config;
        Statements = statements;
        Subject = subject;
    }

    /// <summary>The platform of every attestation manifest's index entry.</summary>
    public static Platform UnknownPlatform { get; } = new() { Os = "unknown", Architecture = "unknown" };

    /// <inheritdoc />
    public RawJson<ImageManifest> Manifest { get; }

    /// <inheritdoc />
    public RawJson<ImageConfigFile> Config { get; }

    /// <summary>The statements, in the order of the manifest's layers.</summary>
    public IReadOnlyList<StatementLayer> Statements { get; }

    /// <inheritdoc />
    public IReadOnlyList<ILayer> Layers => Statements;

    /// <summary>The digest of the image the statements describe.</summary>
    public Digest Subject { get; }

    /// <summary>The annotations of this manifest's entry in an index.</summary>
    public IReadOnlyDictionary<string, string> IndexAnnotations => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [ReferenceDigestAnnotation] = Subject.ToString(),
        [ReferenceTypeAnnotation] = ReferenceType,
    };

    /// <summary>The attestation manifest of <paramref name="statements"/>, which describe image <paramref name="subject"/>.</summary>
    public static AttestationManifest Create(Digest subject, IReadOnlyList<StatementLayer> statements)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var config = RawJson<ImageConfigFile>.Serialize(new ImageConfigFile
        {
            Architecture = UnknownPlatform.Architecture,
            Os = UnknownPlatform.Os,
            Config = new ContainerConfig(),
            RootFs = new RootFs { DiffIds = [.. statements.Select(s => s.DiffId)] },
        });
        var manifest = RawJson<ImageManifest>.Serialize(new ImageManifest
        {
            SchemaVersion = 2,
            MediaType = MediaType.OciManifest,
            Config = config.ToDescriptor(MediaType.OciConfig),
            Layers = [.. statements.Select(s => new Descriptor
            {
                MediaType = s.MediaType,
                Digest = s.Digest,
                Size = s.Size,
                Annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [InTotoStatement.PredicateTypeAnnotation] = s.PredicateType },
            })],
        });
        return new AttestationManifest(manifest, config, statements, subject);
    }
}
