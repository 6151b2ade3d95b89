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
    // 30xx: the OCI model (identities, documents, verified content); registry and credentials start at 3100.

    /// <summary>An image reference does not follow the distribution reference grammar.</summary>
    public static readonly DiagnosticCode InvalidImageReference = DiagnosticCode.Of(3001);
    /// <summary>A digest string does not follow the OCI digest grammar or its algorithm's encoding.</summary>
    public static readonly DiagnosticCode InvalidDigest = DiagnosticCode.Of(3002);
    /// <summary>Content must be hashed with a digest algorithm this tool does not implement.</summary>
    public static readonly DiagnosticCode UnsupportedDigestAlgorithm = DiagnosticCode.Of(3003);
    /// <summary>A media type string is not a well-formed <c>type/subtype</c>.</summary>
    public static readonly DiagnosticCode InvalidMediaType = DiagnosticCode.Of(3004);
    /// <summary>A platform specifier such as <c>linux/arm64/v8</c> cannot be parsed.</summary>
    public static readonly DiagnosticCode InvalidPlatform = DiagnosticCode.Of(3005);
    /// <summary>A manifest, index, config or descriptor is not well-formed JSON of the expected shape.</summary>
    public static readonly DiagnosticCode MalformedDocument = DiagnosticCode.Of(3006);
    /// <summary>A document breaks a rule of the specification for its media type.</summary>
    public static readonly DiagnosticCode InvalidDocument = DiagnosticCode.Of(3007);
    /// <summary>Content read from outside does not hash to the digest it was fetched by.</summary>
    public static readonly DiagnosticCode ContentDigestMismatch = DiagnosticCode.Of(3008);
    /// <summary>Content read from outside is shorter or longer than its descriptor says.</summary>
    public static readonly DiagnosticCode ContentSizeMismatch = DiagnosticCode.Of(3009);
    #endregion

    #region Execution (KANIKO4xxx)
    #endregion

    #region Outputs (KANIKO5xxx)
    #endregion
}
