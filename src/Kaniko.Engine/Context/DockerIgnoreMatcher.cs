using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Context;

/// <summary>
/// The compiled patterns of a <c>.dockerignore</c> file, with Docker/BuildKit semantics: the file is read as Docker's
/// <c>ignorefile.ReadAll</c> reads it, each pattern matches as in <c>moby/patternmatcher</c>, and a path is decided
/// as BuildKit's context walker decides it: directory by directory from the top, each level reusing the pattern
/// results of its parent (see <c>docs/dockerignore.md</c> for where that differs from the other Docker matchers).
/// Instances are immutable and safe to share between threads.
/// </summary>
internal sealed class DockerIgnoreMatcher
{
    private static readonly char[] PrefixOnlyExceptionBreakers = ['*', '[', ']', '?', '^', '\\'];

    private readonly IgnorePattern[] _patterns;
    private readonly bool _exceptionsArePlainPrefixes;

    private DockerIgnoreMatcher(IReadOnlyList<string> patterns, IgnorePattern[] compiled, string fileName)
    {
        Patterns = patterns;
        FileName = fileName;
        _patterns = compiled;
        HasExceptions = compiled.Any(p => p.IsException);
        _exceptionsArePlainPrefixes = compiled
            .Where(p => p.IsException)
            .All(p => WithoutTrailingGlob(p.Text).IndexOfAny(PrefixOnlyExceptionBreakers) < 0);
    }

    /// <summary>A matcher with no patterns: nothing is excluded.</summary>
    public static DockerIgnoreMatcher Empty { get; } = new([], [], string.Empty);

    /// <summary>The normalised patterns in file order, as BuildKit's ignore-file reader returns them.</summary>
    public IReadOnlyList<string> Patterns { get; }

    /// <summary>The ignore file's name as used in messages; empty for <see cref="Empty"/>.</summary>
    public string FileName { get; }

    /// <summary>Whether any pattern is an exception (written with a leading <c>!</c>).</summary>
    public bool HasExceptions { get; }

    /// <summary>
    /// Reads and compiles an ignore file. Every pattern is checked here, so a malformed one is reported up front
    /// rather than when a path first reaches it.
    /// </summary>
    /// <param name="content">The file's bytes (a BOM, CRLF line ends and a missing final newline are all fine).</param>
    /// <param name="fileName">The file's name for error messages, for example <c>.dockerignore</c>.</param>
    /// <exception cref="KanikoException">A pattern is malformed (<see cref="DiagnosticCodes.IgnorePatternInvalid"/>),
    /// located at its line in <paramref name="fileName"/>.</exception>
    public static DockerIgnoreMatcher Parse(ReadOnlySpan<byte> content, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var lines = IgnoreFileReader.Read(content);
        var compiled = new IgnorePattern[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            compiled[i] = IgnorePattern.TryCreate(lines[i].Text, out var error)
                ?? throw new KanikoException(
                    DiagnosticCodes.IgnorePatternInvalid,
                    string.Format(CultureInfo.InvariantCulture, Strings.IgnorePatternInvalid, lines[i].Text, error),
                    SourceRange.Line(fileName, lines[i].Line));
        }

        return new DockerIgnoreMatcher(lines.Select(l => l.Text).ToArray(), compiled, fileName);
    }

    /// <summary>
    /// Reads the patterns of an ignore file without compiling them, exactly as BuildKit's reader returns them
    /// (also for files whose patterns would not compile).
    /// </summary>
    public static IReadOnlyList<string> ReadPatterns(ReadOnlySpan<byte> content) =>
        IgnoreFileReader.Read(content).Select(l => l.Text).ToArray();

    /// <summary>
    /// Whether the path is left out of the build context. The path is <c>/</c>-separated and relative to the context
    /// root (it is cleaned first; the root itself, <c>.</c>, is never excluded). The answer is the one BuildKit's
    /// context walker gives when it reaches this path.
    /// </summary>
    public bool IsExcluded(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = GoPath.Clean(relativePath);
        if (path == "." || _patterns.Length == 0)
        {
            return false;
        }

        MatchState? state = null;
        var slash = path.IndexOf('/');
        while (slash >= 0)
        {
            state = Evaluate(path[..slash], state);
            slash = path.IndexOf('/', slash + 1);
        }

        return Evaluate(path, state).IsExcluded;
    }

    /// <summary>
    /// Decides one entry of a walk from the result of its parent directory (<c>null</c> at the top level), as
    /// patternmatcher's <c>MatchesUsingParentResults</c> does: a pattern that hit a parent counts as a hit here.
    /// </summary>
    internal MatchState Evaluate(string path, MatchState? parent)
    {
        var hits = new bool[_patterns.Length];
        var excluded = false;
        for (var i = 0; i < _patterns.Length; i++)
        {
            var pattern = _patterns[i];
            var hit = parent is not null && parent.Hits[i];
            if (!hit)
            {
                // A plain pattern cannot change an excluded path, nor an exception an included one.
                if (pattern.IsException != excluded)
                {
                    continue;
                }

                hit = pattern.Matches(path) || (parent is null && AnyAncestorMatches(pattern, path));
            }

            hits[i] = hit;
            if (hit)
            {
                excluded = !pattern.IsException;
            }
        }

        return new MatchState(excluded, hits);
    }

    /// <summary>
    /// Whether a walk must still look inside an excluded directory because an exception might re-include
    /// something below it. Mirrors BuildKit's pruning: when every exception is a plain path (no wildcard before a
    /// trailing <c>/**</c> or <c>/*</c>), only exceptions under the directory can matter.
    /// </summary>
    internal bool MayReincludeBelow(string directory)
    {
        if (!HasExceptions)
        {
            return false;
        }

        if (!_exceptionsArePlainPrefixes)
        {
            return true;
        }

        var prefix = directory + "/";
        return _patterns.Any(p => p.IsException && (WithoutTrailingGlob(p.Text) + "/").StartsWith(prefix, StringComparison.Ordinal));
    }

    private static bool AnyAncestorMatches(IgnorePattern pattern, string path)
    {
        var slash = path.IndexOf('/');
        while (slash >= 0)
        {
            if (pattern.Matches(path[..slash]))
            {
                return true;
            }

            slash = path.IndexOf('/', slash + 1);
        }

        return false;
    }

    private static string WithoutTrailingGlob(string pattern)
    {
        if (pattern.EndsWith("/**", StringComparison.Ordinal))
        {
            pattern = pattern[..^3];
        }

        if (pattern.EndsWith("/*", StringComparison.Ordinal))
        {
            pattern = pattern[..^2];
        }

        return pattern;
    }

    /// <summary>The decision for one walked path and which patterns hit it, handed down to its children.</summary>
    internal sealed record MatchState(bool IsExcluded, bool[] Hits);
}
