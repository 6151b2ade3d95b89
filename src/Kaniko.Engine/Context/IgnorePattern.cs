using System.Text;
using System.Text.RegularExpressions;
using Kaniko.Engine.Compat;

namespace Kaniko.Engine.Context;

/// <summary>
/// One compiled ignore pattern, matched as Docker's pattern matcher does. Patterns without wildcards compare exactly,
/// <c>prefix/**</c> is a prefix test and <c>**/suffix</c> a suffix test; everything else is turned into a regular
/// expression by the same translation Docker uses (so its quirks, such as <c>^</c> acting as an anchor and POSIX
/// classes inside brackets, behave the same here).
/// </summary>
/// <remarks>
/// Thousands of patterns must stay cheap, as in BuildKit (Go's RE2 regexps are small and linear). A path is first
/// checked against the pattern's literal start, so most patterns never run their expression; the expression is
/// built on first use only. Expressions with at most <see cref="MaxBacktrackingStars"/> unbounded repetitions use
/// .NET's backtracking interpreter (a few kilobytes each, at worst quadratic in the path's length); others use the
/// non-backtracking engine, linear like RE2 but some hundred kilobytes each.
/// </remarks>
internal sealed class IgnorePattern
{
    private const int MaxBacktrackingStars = 2;

    // What ends a pattern's literal start: a wildcard, a class, an escape, or '^' (an anchor in Docker's translation).
    private static readonly char[] LiteralBreakers = ['*', '?', '[', ']', '\\', '^'];

    private readonly Kind _kind;
    private readonly Lazy<Regex>? _regex;
    private readonly string _literalStart;

    private IgnorePattern(string text, bool isException, Kind kind, Lazy<Regex>? regex)
    {
        Text = text;
        IsException = isException;
        _kind = kind;
        _regex = regex;
        var breaker = text.IndexOfAny(LiteralBreakers);
        _literalStart = breaker < 0 ? text : text[..breaker];
    }

    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }

    /// <summary>The cleaned pattern without its <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>Whether the pattern re-includes what earlier patterns excluded (it was written with <c>!</c>).</summary>
    public bool IsException { get; }

    /// <summary>
    /// Compiles one pattern as returned by the ignore-file reader. Returns <c>null</c> and the reason when the
    /// pattern is invalid; the caller locates the error.
    /// </summary>
    public static IgnorePattern? TryCreate(string pattern, out string? error)
    {
        error = null;
        var text = GoPath.Clean(pattern.Trim());
        var isException = text[0] == '!';
        if (isException)
        {
            if (text.Length == 1)
            {
                error = "an exclusion pattern \"!\" names nothing";
                return null;
            }

            text = text[1..];
        }

        error = GoGlobSyntax.FindError(text);
        if (error is not null)
        {
            return null;
        }

        var (kind, expression, stars) = Translate(text);
        Lazy<Regex>? regex = null;
        if (kind == Kind.Regex)
        {
            string dotnet;
            try
            {
                dotnet = Re2Translator.ToDotNet(expression);
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }

            var options = RegexOptions.CultureInvariant | (stars <= MaxBacktrackingStars ? RegexOptions.None : RegexOptions.NonBacktracking);
            regex = new Lazy<Regex>(() => new Regex(dotnet, options));
        }

        return new IgnorePattern(text, isException, kind, regex);
    }

    /// <summary>Whether this pattern matches the path itself (not its parents).</summary>
    public bool Matches(string path) => _kind switch
    {
        Kind.Exact => path == Text,
        Kind.Prefix => path.StartsWith(Text[..^2], StringComparison.Ordinal),
        Kind.Suffix => MatchesSuffix(path),
        _ => path.StartsWith(_literalStart, StringComparison.Ordinal) && _regex!.Value.IsMatch(path),
    };

    private bool MatchesSuffix(string path)
    {
        var suffix = Text[2..];
        if (path.EndsWith(suffix, StringComparison.Ordinal))
        {
            return true;
        }

        // "**/foo" also matches "foo" at the top.
        return suffix.Length > 0 && suffix[0] == '/' && path == suffix[1..];
    }

    // Docker's translation, step for step: the kind it settles on and the regular expression (RE2 syntax) it builds.
    // Also counts the unbounded repetitions it writes (".*", "[^/]*"), which decide the engine.
    private static (Kind Kind, string Expression, int Stars) Translate(string pattern)
    {
        var expression = new StringBuilder("^");
        var kind = Kind.Exact;
        var stars = 0;
        var runes = pattern.EnumerateRunes().Select(r => r.ToString()).ToList();
        var position = 0;
        for (var step = 0; position < runes.Count; step++)
        {
            var current = runes[position++];
            var next = position < runes.Count ? runes[position] : null;
            switch (current)
            {
                case "*" when next == "*":
                    position++;
                    if (position < runes.Count && runes[position] == "/")
                    {
                        position++;
                    }

                    if (position == runes.Count)
                    {
                        if (kind == Kind.Exact)
                        {
                            kind = Kind.Prefix;
                        }
                        else
                        {
                            expression.Append(".*");
                            kind = Kind.Regex;
                        }
                    }
                    else
                    {
                        // Any number of whole segments, including none.
                        expression.Append("(.*/)?");
                        kind = Kind.Regex;
                    }

                    stars++;

                    if (step == 0)
                    {
                        kind = Kind.Suffix;
                    }

                    break;
                case "*":
                    expression.Append("[^/]*");
                    kind = Kind.Regex;
                    stars++;
                    break;
                case "?":
                    expression.Append("[^/]");
                    kind = Kind.Regex;
                    break;
                case "." or "+" or "(" or ")" or "|" or "{" or "}" or "$":
                    expression.Append('\\').Append(current);
                    break;
                case "\\":
                    if (next is not null)
                    {
                        expression.Append('\\').Append(next);
                        position++;
                        kind = Kind.Regex;
                    }
                    else
                    {
                        expression.Append('\\');
                    }

                    break;
                case "[" or "]":
                    expression.Append(current);
                    kind = Kind.Regex;
                    break;
                default:
                    expression.Append(current);
                    break;
            }
        }

        if (kind == Kind.Regex)
        {
            expression.Append('$');
        }

        return (kind, expression.ToString(), stars);
    }
}
