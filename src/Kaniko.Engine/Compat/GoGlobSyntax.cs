namespace Kaniko.Engine.Compat;

/// <summary>
/// The syntax check Docker's pattern matcher runs on every pattern when it is loaded: Go's <c>filepath.Match</c>
/// reports <c>ErrBadPattern</c> for an unclosed or empty class, a class that starts with an unescaped <c>-</c> or ends
/// in the middle of a range, and a trailing <c>\</c>. Go checks each star-separated chunk of the pattern in turn, and
/// its errors do not depend on the name being matched, so checking every chunk here gives the same verdict.
/// </summary>
internal static class GoGlobSyntax
{
    /// <summary>Returns the reason the pattern is malformed, or <c>null</c> when Go accepts it.</summary>
    public static string? FindError(string pattern)
    {
        var rest = pattern.AsSpan();
        while (!rest.IsEmpty)
        {
            var chunk = NextChunk(ref rest);
            var error = CheckChunk(chunk);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    // A chunk is the run after leading stars up to the next star outside a class (Go's scanChunk).
    private static ReadOnlySpan<char> NextChunk(ref ReadOnlySpan<char> pattern)
    {
        while (!pattern.IsEmpty && pattern[0] == '*')
        {
            pattern = pattern[1..];
        }

        var inRange = false;
        var i = 0;
        for (; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    if (i + 1 < pattern.Length)
                    {
                        i++;
                    }

                    break;
                case '[':
                    inRange = true;
                    break;
                case ']':
                    inRange = false;
                    break;
                case '*' when !inRange:
                    var chunk = pattern[..i];
                    pattern = pattern[i..];
                    return chunk;
            }
        }

        var whole = pattern;
        pattern = [];
        return whole;
    }

    private static string? CheckChunk(ReadOnlySpan<char> chunk)
    {
        while (!chunk.IsEmpty)
        {
            switch (chunk[0])
            {
                case '[':
                    chunk = chunk[1..];
                    if (!chunk.IsEmpty && chunk[0] == '^')
                    {
                        chunk = chunk[1..];
                    }

                    var ranges = 0;
                    while (true)
                    {
                        if (!chunk.IsEmpty && chunk[0] == ']' && ranges > 0)
                        {
                            chunk = chunk[1..];
                            break;
                        }

                        if (!TryClassChar(ref chunk))
                        {
                            return "malformed character class";
                        }

                        if (chunk[0] == '-' && !TryClassChar(ref chunk, skipDash: true))
                        {
                            return "malformed character range";
                        }

                        ranges++;
                    }

                    break;
                case '\\':
                    chunk = chunk[1..];
                    if (chunk.IsEmpty)
                    {
                        return "trailing backslash";
                    }

                    chunk = chunk[1..];
                    break;
                default:
                    chunk = chunk[1..];
                    break;
            }
        }

        return null;
    }

    // Go's getEsc: one possibly escaped class member, which must be followed by more of the class.
    private static bool TryClassChar(ref ReadOnlySpan<char> chunk, bool skipDash = false)
    {
        if (skipDash)
        {
            chunk = chunk[1..];
        }

        if (chunk.IsEmpty || chunk[0] == '-' || chunk[0] == ']')
        {
            return false;
        }

        if (chunk[0] == '\\')
        {
            chunk = chunk[1..];
            if (chunk.IsEmpty)
            {
                return false;
            }
        }

        var width = char.IsHighSurrogate(chunk[0]) && chunk.Length > 1 && char.IsLowSurrogate(chunk[1]) ? 2 : 1;
        chunk = chunk[width..];
        return !chunk.IsEmpty;
    }
}
