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
    // Registry.Auth: 3100-3199.
    /// <summary>The registry asks for credentials and no configured source has any for it.</summary>
    public static readonly DiagnosticCode RegistryAuthenticationRequired = DiagnosticCode.Of(3100);
    /// <summary>The registry or its token server rejected the credentials that were found.</summary>
    public static readonly DiagnosticCode RegistryAuthenticationFailed = DiagnosticCode.Of(3101);
    /// <summary>The docker config file cannot be read or is not valid.</summary>
    public static readonly DiagnosticCode DockerConfigInvalid = DiagnosticCode.Of(3102);
    /// <summary>A credential helper named in the docker config file is not on PATH.</summary>
    public static readonly DiagnosticCode CredentialHelperNotFound = DiagnosticCode.Of(3103);
    /// <summary>A credential helper ran but failed or answered nonsense.</summary>
    public static readonly DiagnosticCode CredentialHelperFailed = DiagnosticCode.Of(3104);
    /// <summary>Credentials would go over plain HTTP to a registry not marked insecure.</summary>
    public static readonly DiagnosticCode InsecureCredentialTransport = DiagnosticCode.Of(3105);
    /// <summary>The token server answered with an error status.</summary>
    public static readonly DiagnosticCode TokenRequestFailed = DiagnosticCode.Of(3106);
    /// <summary>The token server's answer cannot be understood.</summary>
    public static readonly DiagnosticCode TokenResponseInvalid = DiagnosticCode.Of(3107);
    /// <summary>The registry asks for an authentication scheme other than Basic or Bearer, or a Bearer challenge without realm.</summary>
    public static readonly DiagnosticCode AuthenticationChallengeUnsupported = DiagnosticCode.Of(3108);
    #endregion

    #region Execution (KANIKO4xxx)
    #endregion

    #region Outputs (KANIKO5xxx)
    #endregion
}
