using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Instructions;

/// <summary>Builds located errors from the message table, so every raise site stays one line.</summary>
internal static class InstructionError
{
    internal static KanikoException Create(DiagnosticCode code, SourceRange? range, string format, params object?[] args) =>
        new(code, string.Format(CultureInfo.InvariantCulture, format, args), range);

    /// <summary>An error whose message ends with BuildKit's <c>(did you mean X?)</c> when a close option exists.</summary>
    internal static KanikoException WithSuggestion(DiagnosticCode code, SourceRange? range, string? suggestion, string format, params object?[] args) =>
        new(code, Suggestion.Append(string.Format(CultureInfo.InvariantCulture, format, args), suggestion), range);
}
