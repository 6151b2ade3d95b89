using System.Diagnostics.CodeAnalysis;

namespace Kaniko.Engine.Dockerfile.Expansion;

/// <summary>
/// Where the lexer looks up the variables a word refers to. Names are compared exactly (case-sensitive), as on Linux.
/// A variable that is set to the empty string is found; it is not the same as an unset one.
/// </summary>
internal interface IVariableSource
{
    /// <summary>Looks up <paramref name="name"/>.</summary>
    /// <param name="name">The variable name as written after <c>$</c>, for example <c>PATH</c> or <c>1</c>.</param>
    /// <param name="value">The value when the variable is set, possibly empty.</param>
    /// <returns><c>true</c> when the variable is set.</returns>
    bool TryGetValue(string name, [MaybeNullWhen(false)] out string value);
}
