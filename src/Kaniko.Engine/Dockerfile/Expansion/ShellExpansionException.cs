using System.Globalization;
using Kaniko.Engine.Compat;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// A word could not be expanded: an unterminated quote, a malformed <c>${...}</c>, an invalid pattern, or a
/// <c>${v?msg}</c> check that failed. The lexer knows no source location; callers add it with
/// <see cref="KanikoException.WithRangeIfMissing(SourceRange)"/>. The detail reads as BuildKit words it:
/// <c>failed to process "${X:?}": X: is not allowed to be unset</c>.
/// </summary>
internal sealed class ShellExpansionException : KanikoException
{
    internal ShellExpansionException(DiagnosticCode code, string word, string reason)
        : base(code, string.Format(CultureInfo.InvariantCulture, Strings.ExpansionFailed, GoQuote.Quote(word), reason))
    {
        Word = word;
        Reason = reason;
    }

    /// <summary>The whole word that was being expanded.</summary>
    public string Word { get; }

    /// <summary>What went wrong, without the word, for example <c>X: is not allowed to be unset</c>.</summary>
    public string Reason { get; }
}
