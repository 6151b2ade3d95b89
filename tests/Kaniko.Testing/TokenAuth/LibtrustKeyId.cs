using System.Security.Cryptography;
using System.Text;

namespace Kaniko.Testing.TokenAuth;

/// <summary>
/// The key ID distribution 2.8 looks a token's <c>kid</c> header up by: libtrust's fingerprint of the public key.
/// It is the SHA-256 of the DER SubjectPublicKeyInfo, cut to 240 bits, in unpadded RFC 4648 base32 (48 characters),
/// written as 12 groups of 4 characters joined by ':'.
/// </summary>
public static class LibtrustKeyId
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The libtrust key ID of the public key encoded in <paramref name="subjectPublicKeyInfo"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(subjectPublicKeyInfo, hash);
        var encoded = Base32(hash[..30]);
        var id = new StringBuilder(59);
        for (var i = 0; i < encoded.Length; i += 4)
        {
            if (i > 0)
            {
                id.Append(':');
            }

            id.Append(encoded, i, 4);
        }

        return id.ToString();
    }

    // 30 bytes are exactly 48 five-bit groups, so no padding arises.
    private static string Base32(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(((data.Length * 8) + 4) / 5);
        var buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Alphabet[(buffer >> bits) & 31]);
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
