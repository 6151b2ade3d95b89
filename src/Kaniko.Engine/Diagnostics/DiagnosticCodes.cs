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
