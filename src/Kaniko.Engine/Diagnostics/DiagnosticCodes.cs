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
    /// <summary>The build context names a source kind (tar, git, a bucket, a URL) that is not supported yet.</summary>
    public static readonly DiagnosticCode ContextSourceNotSupported = DiagnosticCode.Of(2001);
    /// <summary>The build context argument has a scheme this tool does not know.</summary>
    public static readonly DiagnosticCode ContextSchemeUnknown = DiagnosticCode.Of(2002);
    /// <summary>The build context directory does not exist.</summary>
    public static readonly DiagnosticCode ContextDirectoryNotFound = DiagnosticCode.Of(2003);
    /// <summary>The build context path exists but is not a directory.</summary>
    public static readonly DiagnosticCode ContextNotADirectory = DiagnosticCode.Of(2004);
    /// <summary>The Dockerfile could not be found.</summary>
    public static readonly DiagnosticCode DockerfileNotFound = DiagnosticCode.Of(2005);
    /// <summary>A pattern in the ignore file is malformed.</summary>
    public static readonly DiagnosticCode IgnorePatternInvalid = DiagnosticCode.Of(2010);
    /// <summary>A path leaves the build context through <c>..</c>.</summary>
    public static readonly DiagnosticCode ContextPathEscapes = DiagnosticCode.Of(2020);
    /// <summary>A path leaves the build context through a symbolic link.</summary>
    public static readonly DiagnosticCode ContextSymlinkEscapes = DiagnosticCode.Of(2021);
    /// <summary>Resolving a path met too many symbolic links (a loop).</summary>
    public static readonly DiagnosticCode ContextSymlinkLoop = DiagnosticCode.Of(2022);
    /// <summary>A file was not found in the build context.</summary>
    public static readonly DiagnosticCode ContextFileNotFound = DiagnosticCode.Of(2023);
    /// <summary>A folder of the build context cannot be read.</summary>
    public static readonly DiagnosticCode ContextUnreadable = DiagnosticCode.Of(2024);
    #endregion

    #region OCI model and registry (KANIKO3xxx)
    #endregion

    #region Execution (KANIKO4xxx)
    #endregion

    #region Outputs (KANIKO5xxx)
    #endregion
}
