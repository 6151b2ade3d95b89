using Kaniko.Engine.Layers;
using Kaniko.Engine.Oci;

namespace Kaniko.Engine.Attestations;

/// <summary>
/// An in-toto statement as a "layer" of an attestation manifest: plain JSON, not a tar, so its compressed and
/// uncompressed forms are the same bytes and <see cref="DiffId"/> equals <see cref="Digest"/>, as BuildKit writes them.
/// </summary>
internal sealed class StatementLayer : ILayer
{
    private readonly byte[] _content;

    /// <summary>A layer of <paramref name="statement"/> whose predicate type is <paramref name="predicateType"/>.</summary>
    public StatementLayer(byte[] statement, string predicateType)
    {
        _content = statement ?? throw new ArgumentNullException(nameof(statement));
        PredicateType = predicateType ?? throw new ArgumentNullException(nameof(predicateType));
        Digest = Digest.Compute(statement);
    }

    /// <summary>The statement's predicate type, annotated on its descriptor.</summary>
    public string PredicateType { get; }

    /// <summary>The statement's bytes.</summary>
    public ReadOnlyMemory<byte> Content => _content;

    /// <inheritdoc />
    public Digest Digest { get; }

    /// <inheritdoc />
    public Digest DiffId => Digest;

    /// <inheritdoc />
    public long Size => _content.LongLength;

    /// <inheritdoc />
    public MediaType MediaType { get; } = new(InTotoStatement.MediaTypeName);

    /// <inheritdoc />
    public Task<Stream> OpenCompressedAsync(CancellationToken cancellationToken) => Task.FromResult<Stream>(new MemoryStream(_content, writable: false));

    /// <inheritdoc />
    public Task<Stream> OpenUncompressedAsync(CancellationToken cancellationToken) => OpenCompressedAsync(cancellationToken);
}
