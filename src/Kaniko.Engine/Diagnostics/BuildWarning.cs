namespace Kaniko.Engine.Diagnostics;

/// <summary>A problem that does not stop the build, reported to the host with a code and an optional location.</summary>
/// <param name="Code">The stable code.</param>
/// <param name="Message">The bare message, without the location prefix.</param>
/// <param name="Range">The source lines concerned, if any.</param>
public sealed record BuildWarning(DiagnosticCode Code, string Message, SourceRange? Range = null)
{
    /// <summary>The conventional <c>file:line: message</c> form.</summary>
    public override string ToString() => Range is { } r ? $"{r}: {Message}" : Message;
}
