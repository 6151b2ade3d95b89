namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// The one exception type the engine lets reach its hosts. It carries a stable <see cref="Code"/>, the bare
/// <see cref="Detail"/> message, and, for errors in a source file, the <see cref="Range"/> at fault.
/// <see cref="Exception.Message"/> is the conventional <c>file:line: detail</c> form.
/// </summary>
public class KanikoException : Exception
{
    /// <summary>Creates an exception with a code and a message, optionally located in a source file.</summary>
    public KanikoException(DiagnosticCode code, string detail, SourceRange? range = null, Exception? innerException = null)
        : base(Format(detail, range), innerException)
    {
        Code = code;
        Detail = detail;
        Range = range;
    }

    /// <summary>The stable code, for example <c>KANIKO1001</c>.</summary>
    public DiagnosticCode Code { get; }

    /// <summary>The message without the location prefix.</summary>
    public string Detail { get; }

    /// <summary>The source lines at fault, when the error is in a Dockerfile or another source file.</summary>
    public SourceRange? Range { get; }

    /// <summary>Returns a copy of this error located at <paramref name="range"/>, unless it already has a location.</summary>
    public KanikoException WithRangeIfMissing(SourceRange range) =>
        Range is null ? new KanikoException(Code, Detail, range, this) : this;

    private static string Format(string detail, SourceRange? range) =>
        range is { } r ? $"{r}: {detail}" : detail;
}
