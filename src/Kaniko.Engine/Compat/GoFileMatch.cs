namespace Kaniko.Engine.Compat;

/// <summary>
/// Go's <c>path/filepath.Match</c> on Unix, which BuildKit uses for wildcard sources: <c>*</c> is any run of
/// characters except <c>/</c>, <c>?</c> one character except <c>/</c>, <c>[a-c]</c> and <c>[^a-c]</c> classes,
/// <c>\</c> escapes. A malformed pattern matches nothing (BuildKit ignores the error).
/// </summary>
internal static class GoFileMatch
{
    /// <summary>Whether <paramref name="name"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool IsMatch(string pattern, string name) => Match(pattern, 0, name, 0);

    /// <summary>Whether a source path has a wildcard character (BuildKit's <c>containsWildcards</c>).</summary>
    public static bool HasWildcards(string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            switch (path[i])
            {
                case '*' or '?' or '[':
                    return true;
                case '\\':
                    i++;
                    break;
            }
        }

        return false;
    }

    private static bool Match(string p, int pi, string n, int ni)
    {
        while (pi < p.Length)
        {
            var c = p[pi];
            if (c == '*')
            {
                while (pi < p.Length && p[pi] == '*')
                {
                    pi++;
                }

                for (var k = ni; k <= n.Length; k++)
                {
                    if (Match(p, pi, n, k))
                    {
                        return true;
                    }

                    if (k < n.Length && n[k] == '/')
                    {
                        return false;
                    }
                }

                return false;
            }

            if (ni >= n.Length)
            {
                return false;
            }

            switch (c)
            {
                case '?':
                    if (n[ni] == '/')
                    {
                        return false;
                    }

                    pi++;
                    break;
                case '[':
                    if (!MatchClass(p, ref pi, n[ni]))
                    {
                        return false;
                    }

                    break;
                case '\\':
                    if (pi + 1 >= p.Length || p[pi + 1] != n[ni])
                    {
                        return false;
                    }

                    pi += 2;
                    break;
                default:
                    if (c != n[ni])
                    {
                        return false;
                    }

                    pi++;
                    break;
            }

            ni++;
        }

        return ni == n.Length;
    }

    // Reads the class starting at p[pi] == '[' and moves pi past it; false for no match or a malformed class.
    private static bool MatchClass(string p, ref int pi, char c)
    {
        var i = pi + 1;
        var negated = i < p.Length && p[i] == '^';
        if (negated)
        {
            i++;
        }

        var matched = false;
        var ranges = 0;
        while (true)
        {
            if (i < p.Length && p[i] == ']' && ranges > 0)
            {
                i++;
                break;
            }

            if (!ReadClassChar(p, ref i, out var lo))
            {
                return false;
            }

            var hi = lo;
            if (i < p.Length && p[i] == '-')
            {
                i++;
                if (!ReadClassChar(p, ref i, out hi))
                {
                    return false;
                }
            }

            matched |= lo <= c && c <= hi;
            ranges++;
        }

        pi = i;
        return matched != negated;
    }

    private static bool ReadClassChar(string p, ref int i, out char c)
    {
        c = '\0';
        if (i >= p.Length || p[i] is '-' or ']')
        {
            return false;
        }

        if (p[i] == '\\')
        {
            i++;
            if (i >= p.Length)
            {
                return false;
            }
        }

        c = p[i++];
        return true;
    }
}
