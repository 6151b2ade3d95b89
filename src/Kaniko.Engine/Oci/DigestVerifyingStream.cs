using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// A read-only, forward-only view of a stream that hashes what passes through it and refuses content that is not
/// what its descriptor promised: more bytes than expected fail at once, and at the end of the stream a short read
/// or a different digest fails with <c>KANIKO3009</c> or <c>KANIKO3008</c>. A consumer that reads to the end has
/// therefore seen exactly the expected bytes; one that stops early has verified nothing.
/// </summary>
internal sealed class DigestVerifyingStream : ForwardReadStream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly DigestHasher _hasher;
    private readonly string _description;
    private bool _verified;

    /// <summary>Wraps <paramref name="inner"/>, expecting the content <paramref name="expected"/> describes.</summary>
    /// <param name="inner">The content as it arrives.</param>
    /// <param name="expected">The digest and size the content must have.</param>
    /// <param name="leaveOpen">True to leave <paramref name="inner"/> open when this stream is disposed.</param>
    public DigestVerifyingStream(Stream inner, Descriptor expected, bool leaveOpen = false)
        : this(inner, (expected ?? throw new ArgumentNullException(nameof(expected))).Digest, expected.Size, leaveOpen)
    {
    }

    /// <summary>Wraps <paramref name="inner"/>, expecting content with <paramref name="expectedDigest"/>.</summary>
    /// <param name="inner">The content as it arrives.</param>
    /// <param name="expectedDigest">The digest the content must have; its algorithm must be supported (<c>KANIKO3003</c>).</param>
    /// <param name="expectedSize">The exact size in bytes, or null when only the digest is known.</param>
    /// <param name="leaveOpen">True to leave <paramref name="inner"/> open when this stream is disposed.</param>
    public DigestVerifyingStream(Stream inner, Digest expectedDigest, long? expectedSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (expectedSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedSize), expectedSize, "the size cannot be negative");
        }

        _inner = inner;
        _leaveOpen = leaveOpen;
        ExpectedDigest = expectedDigest;
        ExpectedSize = expectedSize;
        _hasher = DigestHasher.Create(expectedDigest.Algorithm);
        _description = expectedDigest.ToString();
    }

    /// <summary>The digest the content must have.</summary>
    public Digest ExpectedDigest { get; }

    /// <summary>The size the content must have, when known.</summary>
    public long? ExpectedSize { get; }

    /// <summary>How many bytes have been read so far.</summary>
    public long BytesRead => _hasher.BytesHashed;

    /// <summary>True once the end of the content was reached and it matched.</summary>
    public bool IsVerified => _verified;

    /// <inheritdoc />
    public override long Position => BytesRead;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        return Account(buffer[..read], buffer.Length);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..read], buffer.Length);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hasher.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private int Account(ReadOnlySpan<byte> data, int requested)
    {
        if (data.Length > 0)
        {
            _hasher.Append(data);
            if (BytesRead > ExpectedSize)
            {
                // Fail before handing over bytes that cannot be right, and before a hostile source fills the disk.
                throw new KanikoException(
                    DiagnosticCodes.ContentSizeMismatch,
                    string.Format(CultureInfo.InvariantCulture, Strings.ContentTooLong, _description, ExpectedSize));
            }
        }
        else if (requested > 0 && !_verified)
        {
            VerifyAtEnd();
        }

        return data.Length;
    }

    private void VerifyAtEnd()
    {
        if (ExpectedSize is { } size && BytesRead != size)
        {
            throw new KanikoException(
                DiagnosticCodes.ContentSizeMismatch,
                string.Format(CultureInfo.InvariantCulture, Strings.ContentTooShort, _description, BytesRead, size));
        }

        var actual = _hasher.GetDigest();
        if (actual != ExpectedDigest)
        {
            throw new KanikoException(
                DiagnosticCodes.ContentDigestMismatch,
                string.Format(CultureInfo.InvariantCulture, Strings.ContentDigestMismatch, _description, actual, ExpectedDigest));
        }

        _verified = true;
    }
}
