using System.Text;

namespace Kaniko.Engine.Compat;

/// <summary>
/// Text helpers that reproduce how Go (and so BuildKit) treats strings: UTF-8 decoding that keeps invalid bytes,
/// Unicode whitespace and lower-casing.
/// </summary>
/// <remarks>
/// Go strings are bytes, so a Dockerfile with invalid UTF-8 keeps those bytes. We decode each invalid byte to a lone
/// low surrogate U+DC80–U+DCFF (the "surrogateescape" convention): valid UTF-8 can never produce a lone surrogate,
/// so the original bytes stay recoverable (<see cref="EncodeUtf8"/>) and the dump can print them as Go does.
/// </remarks>
internal static class GoText
{
    private const char EscapedByteBase = '\uDC00';

    /// <summary>Decodes UTF-8 the way Go walks a string: each byte of an invalid sequence stands alone.</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var builder = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
                bytes = bytes[consumed..];
            }
            else
            {
                builder.Append((char)(EscapedByteBase + bytes[0]));
                bytes = bytes[1..];
            }
        }

        return builder.ToString();
    }

    /// <summary>Encodes text back to the exact bytes it was decoded from by <see cref="DecodeUtf8"/>.</summary>
    public static byte[] EncodeUtf8(string text)
    {
        var output = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            if (TryGetEscapedByte(text[i], out var raw))
            {
                output.Add(raw);
                continue;
            }

            Rune rune;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                rune = new Rune(text[i], text[i + 1]);
                i++;
            }
            else
            {
                rune = char.IsSurrogate(text[i]) ? Rune.ReplacementChar : new Rune(text[i]);
            }

            var written = rune.EncodeToUtf8(buffer);
            for (var b = 0; b < written; b++)
            {
                output.Add(buffer[b]);
            }
        }

        return [.. output];
    }

    /// <summary>Whether <paramref name="c"/> stands for one invalid input byte, and which.</summary>
    public static bool TryGetEscapedByte(char c, out byte value)
    {
        if (c >= '\uDC80' && c <= '\uDCFF')
        {
            value = (byte)(c - EscapedByteBase);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Go's <c>unicode.IsSpace</c>; the set is the same as .NET's <see cref="char.IsWhiteSpace(char)"/>.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c);

    /// <summary>The blanks of BuildKit's <c>[\t\v\f\r ]</c> expression (no newline).</summary>
    public static bool IsAsciiBlank(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r';

    /// <summary>The <c>\s</c> class of Go regular expressions: <c>[\t\n\f\r ]</c>.</summary>
    public static bool IsRegexSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';

    /// <summary>Go's <c>strings.TrimSpace</c>.</summary>
    public static string TrimSpace(string text) => text.Trim();

    /// <summary>Go's <c>strings.TrimRight(s, "\r\n")</c>.</summary>
    public static string TrimNewline(string text) => text.TrimEnd('\r', '\n');

    /// <summary>
    /// Go's <c>strings.ToLower</c>: simple Unicode lower-casing, and an invalid byte becomes U+FFFD.
    /// </summary>
    public static string ToLower(string text)
    {
        var ascii = true;
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                ascii = false;
                break;
            }
        }

        if (ascii)
        {
            return text.ToLowerInvariant();
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(Rune.ToLowerInvariant(new Rune(text[i], text[i + 1])).ToString());
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(Rune.ToLowerInvariant(new Rune(text[i])).ToString());
            }
        }

        return builder.ToString();
    }
}
