namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// A span of physical lines in a source file (a Dockerfile, an ignore file), counted from 1.
/// </summary>
/// <param name="File">The file as the user named it (for example <c>Dockerfile</c> or <c>build/Dockerfile.prod</c>).</param>
/// <param name="StartLine">The first physical line, 1-based.</param>
/// <param name="EndLine">The last physical line, 1-based; equal to <paramref name="StartLine"/> for one line.</param>
public readonly record struct SourceRange(string File, int StartLine, int EndLine)
{
    /// <summary>A range of one line.</summary>
    public static SourceRange Line(string file, int line) => new(file, line, line);

    /// <summary>The conventional <c>file:line</c> form used at the start of error messages.</summary>
    public override string ToString() => $"{File}:{StartLine}";
}
