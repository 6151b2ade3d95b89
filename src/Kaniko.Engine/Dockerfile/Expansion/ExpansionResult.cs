namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>The outcome of expanding one word.</summary>
/// <param name="Value">The word with variables expanded and quotes and escapes removed.</param>
/// <param name="Matched">The names the word looked up and found (a variable set to the empty string counts as found).</param>
/// <param name="Unmatched">The names the word looked up and did not find; linters report these.</param>
internal sealed record ExpansionResult(string Value, IReadOnlySet<string> Matched, IReadOnlySet<string> Unmatched);
