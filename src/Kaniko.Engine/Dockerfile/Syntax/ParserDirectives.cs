namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>The parser directives found at the top of a Dockerfile (<c># syntax=</c>, <c># escape=</c>, <c># check=</c>).</summary>
/// <param name="EscapeToken">The escape and line-continuation character: <c>\</c> unless <c># escape=`</c> was given.</param>
/// <param name="Syntax">The raw value of the <c>syntax</c> directive, or <c>null</c>.</param>
/// <param name="Check">The raw value of the <c>check</c> directive, or <c>null</c>.</param>
internal sealed record ParserDirectives(char EscapeToken, string? Syntax, string? Check);
