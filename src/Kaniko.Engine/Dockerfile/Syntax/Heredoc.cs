namespace Kaniko.Engine.Dockerfile.Syntax;

/// <summary>A here-document attached to a <c>RUN</c>, <c>COPY</c> or <c>ADD</c> instruction (<c>&lt;&lt;EOF</c>).</summary>
/// <param name="Name">The delimiter word after quote removal, for example <c>EOF</c> for <c>&lt;&lt;'EOF'</c>.</param>
/// <param name="Content">
/// The body: the raw lines between the instruction and the delimiter line, each with its own line ending (CRLF stays).
/// It is not chomped: removing leading tabs for <c>&lt;&lt;-</c> is the builder's job, as in BuildKit.
/// </param>
/// <param name="Expand">False when any part of the delimiter was quoted, so the body must not be expanded.</param>
/// <param name="Chomp">True for <c>&lt;&lt;-</c>.</param>
/// <param name="FileDescriptor">The digits before <c>&lt;&lt;</c> (<c>3&lt;&lt;EOF</c>), 0 when there are none.</param>
internal sealed record Heredoc(string Name, string Content, bool Expand, bool Chomp, int FileDescriptor);
