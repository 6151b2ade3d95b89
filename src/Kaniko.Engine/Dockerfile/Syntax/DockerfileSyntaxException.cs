using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>A Dockerfile that cannot be parsed. It is always located: its message reads <c>file:line: detail</c>.</summary>
internal sealed class DockerfileSyntaxException : KanikoException
{
    /// <summary>Creates the error for the lines at fault.</summary>
    public DockerfileSyntaxException(DiagnosticCode code, string detail, SourceRange range)
        : base(code, detail, range)
    {
    }
}

/// <summary>
/// A parse error found where the location is not known yet (inside one logical line). The parser catches it and
/// throws a <see cref="DockerfileSyntaxException"/> with the instruction's lines.
/// </summary>
internal sealed class SyntaxFault(DiagnosticCode code, string detail) : Exception(detail)
{
    public DiagnosticCode Code { get; } = code;

    public string Detail { get; } = detail;

    public DockerfileSyntaxException Locate(SourceRange range) => new(Code, Detail, range);
}
