namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// The catalogue of codes. Each area owns a range and adds its codes in its own region; the docs table in
/// <c>docs/diagnostics.md</c> is kept in step (a test checks that every code here is documented).
/// </summary>
public static class DiagnosticCodes
{
    #region General (KANIKO00xx)
    /// <summary>A bug in the tool: the message carries the detail.</summary>
    public static readonly DiagnosticCode InternalError = DiagnosticCode.Of(1);
    /// <summary>The command line or the build request is invalid.</summary>
    public static readonly DiagnosticCode InvalidRequest = DiagnosticCode.Of(2);
    #endregion

    #region Dockerfile syntax (KANIKO10xx)
    #endregion

    #region Dockerfile instructions (KANIKO11xx)
    #endregion

    #region Dockerfile expansion (KANIKO12xx)
    /// <summary>A single or double quote is opened and never closed.</summary>
    public static readonly DiagnosticCode UnterminatedQuote = DiagnosticCode.Of(1201);
    /// <summary>A <c>${...}</c> expression is malformed: no closing brace, an empty or invalid name, an unknown modifier.</summary>
    public static readonly DiagnosticCode BadSubstitution = DiagnosticCode.Of(1202);
    /// <summary>The pattern of <c>${v#p}</c>, <c>${v%p}</c> or <c>${v/p/r}</c> holds an escape that is not allowed.</summary>
    public static readonly DiagnosticCode InvalidSubstitutionPattern = DiagnosticCode.Of(1203);
    /// <summary><c>${v?msg}</c> or <c>${v:?msg}</c> found the variable unset (or empty).</summary>
    public static readonly DiagnosticCode RequiredVariableMissing = DiagnosticCode.Of(1204);
    #endregion

    #region Planning (KANIKO13xx)
    #endregion

    #region Build context (KANIKO2xxx)
    #endregion

    #region OCI model and registry (KANIKO3xxx)
    #endregion

    #region Execution (KANIKO4xxx)
    #endregion

    #region Outputs (KANIKO5xxx)
    #endregion
}
