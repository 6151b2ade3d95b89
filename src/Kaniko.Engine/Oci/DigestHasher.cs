using System.Security.Cryptography;

namespace Kaniko.Engine.Oci;

/// <summary>
/// Computes a <see cref="Digest"/> over content that arrives in pieces (a layer being written, a blob being
/// downloaded), counting the bytes as it goes. Not thread-safe; dispose it when done.
/// </summary>
internal sealed class DigestHasher : IDisposable
{
    private readonly IncrementalHash _hash;

    private DigestHasher(string algorithm, IncrementalHash hash)
    {
        Algorithm = algorithm;
        _hash = hash;
    }

    /// <summary>The algorithm in use, <c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>How many bytes have been appended so far.</summary>
    public long BytesHashed { get; private set; }

    /// <summary>Starts a hash; throws <c>KANIKO3003</c> for an algorithm other than sha256 or sha512.</summary>
    public static DigestHasher Create(string algorithm = Digest.Sha256)
    {
        var name = algorithm switch
        {
            Digest.Sha256 => HashAlgorithmName.SHA256,
            Digest.Sha512 => HashAlgorithmName.SHA512,
            _ => throw Digest.UnsupportedAlgorithm(algorithm),
        };
        return new DigestHasher(algorithm, IncrementalHash.CreateHash(name));
    }

    /// <summary>Adds the next piece of content.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(data);
        BytesHashed += data.Length;
    }

    /// <summary>The digest of everything appended so far; the hasher can keep going afterwards.</summary>
    public Digest GetDigest()
    {
        Span<byte> buffer = stackalloc byte[64];
        var written = _hash.GetCurrentHash(buffer);
        return Digest.FromHash(Algorithm, buffer[..written]);
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
