using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Oci;

/// <summary>
/// A content identifier, <c>algorithm:encoded</c>, as the OCI image spec defines it in <c>descriptor.md</c>:
/// <code>
/// digest                ::= algorithm ":" encoded
/// algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
/// algorithm-component   ::= [a-z0-9]+
/// algorithm-separator   ::= [+._-]
/// encoded               ::= [a-zA-Z0-9=_-]+
/// </code>
/// The registered algorithms are checked strictly: <c>sha256</c> "MUST" be 64 and <c>sha512</c> 128 lower-case hex
/// characters. Any other algorithm that fits the grammar is accepted, because the spec says implementations "SHOULD
/// allow digests with unrecognized algorithms to pass validation if they comply with the above grammar"; such a
/// digest can be carried and compared but not computed or verified (<see cref="IsSupported"/> is false).
/// </summary>
[JsonConverter(typeof(DigestJsonConverter))]
public readonly record struct Digest : ISpanFormattable
{
    /// <summary>The SHA-256 algorithm identifier; implementations "MUST implement SHA-256 digest verification".</summary>
    public const string Sha256 = "sha256";

    /// <summary>The SHA-512 algorithm identifier (optional in the spec, implemented here).</summary>
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    /// <summary>The algorithm identifier, for example <c>sha256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The encoded hash: lower-case hex for <c>sha256</c> and <c>sha512</c>.</summary>
    public string Encoded { get; }

    /// <summary>True when this tool can compute and verify digests of this algorithm (sha256, sha512).</summary>
    public bool IsSupported => Algorithm is Sha256 or Sha512;

    /// <summary>The digest of zero bytes under SHA-256, the digest of every empty blob.</summary>
    public static Digest EmptySha256 { get; } = new(Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /// <summary>Parses <c>algorithm:encoded</c>; throws <see cref="KanikoException"/> (<c>KANIKO3002</c>) when malformed.</summary>
    public static Digest Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryParse(value, out var digest, out var reason))
        {
            throw new KanikoException(
                DiagnosticCodes.InvalidDigest,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidDigest, value, reason));
        }

        return digest;
    }

    /// <summary>Parses <c>algorithm:encoded</c>, returning false when it is malformed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest) => TryParse(value, out digest, out _);

    /// <summary>Parses <c>algorithm:encoded</c>, returning false and the reason when it is malformed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest, [NotNullWhen(false)] out string? reason)
    {
        digest = default;
        if (value is null)
        {
            reason = "no value";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            reason = "expected algorithm:encoded";
            return false;
        }

        var algorithm = value[..colon];
        var encoded = value[(colon + 1)..];
        if (!IsValidAlgorithm(algorithm))
        {
            reason = "the algorithm must be lower-case letters and digits, optionally joined by single + . _ - separators";
            return false;
        }

        if (encoded.Length == 0 || encoded.AsSpan().ContainsAnyExcept(EncodedCharacters))
        {
            reason = "the encoded part must be one or more of a-z A-Z 0-9 = _ -";
            return false;
        }

        var expectedHexLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => 0,
        };
        if (expectedHexLength != 0 && (encoded.Length != expectedHexLength || encoded.AsSpan().ContainsAnyExcept(LowerHex)))
        {
            reason = string.Format(CultureInfo.InvariantCulture, "a {0} digest must be {1} lower-case hex characters", algorithm, expectedHexLength);
            return false;
        }

        digest = new Digest(algorithm, encoded);
        reason = null;
        return true;
    }

    /// <summary>Creates a digest from an algorithm and its hex encoding, validating both.</summary>
    public static Digest FromParts(string algorithm, string encoded) => Parse(algorithm + ":" + encoded);

    /// <summary>Hashes <paramref name="data"/> with <paramref name="algorithm"/> (SHA-256 unless told otherwise).</summary>
    public static Digest Compute(ReadOnlySpan<byte> data, string algorithm = Sha256)
    {
        Span<byte> hash = stackalloc byte[64];
        var written = algorithm switch
        {
            Sha256 => SHA256.HashData(data, hash),
            Sha512 => SHA512.HashData(data, hash),
            _ => throw UnsupportedAlgorithm(algorithm),
        };
        return FromHash(algorithm, hash[..written]);
    }

    /// <summary>Reads <paramref name="stream"/> to its end and hashes what it read.</summary>
    public static async Task<Digest> ComputeAsync(Stream stream, string algorithm = Sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hasher = DigestHasher.Create(algorithm);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hasher.GetDigest();
    }

    /// <summary>The canonical <c>algorithm:encoded</c> form.</summary>
    public override string ToString() => Algorithm is null ? string.Empty : Algorithm + ":" + Encoded;

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var text = ToString();
        if (text.TryCopyTo(destination))
        {
            charsWritten = text.Length;
            return true;
        }

        charsWritten = 0;
        return false;
    }

    internal static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    internal static KanikoException UnsupportedAlgorithm(string algorithm) => new(
        DiagnosticCodes.UnsupportedDigestAlgorithm,
        string.Format(CultureInfo.InvariantCulture, Strings.UnsupportedDigestAlgorithm, algorithm));

    private static readonly SearchValues<char> EncodedCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=_-");

    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    private static bool IsValidAlgorithm(string algorithm)
    {
        // One or more [a-z0-9]+ components, each pair joined by exactly one of + . _ -.
        var componentLength = 0;
        foreach (var c in algorithm)
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                componentLength++;
            }
            else if (c is '+' or '.' or '_' or '-' && componentLength > 0)
            {
                componentLength = 0;
            }
            else
            {
                return false;
            }
        }

        return componentLength > 0;
    }
}
