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
    /// <summary>The instruction keyword is not one the Dockerfile frontend knows.</summary>
    public static readonly DiagnosticCode UnknownInstruction = DiagnosticCode.Of(1101);
    /// <summary>A <c>--flag</c> is unknown to the instruction, repeated, or lacks a valid value.</summary>
    public static readonly DiagnosticCode InvalidInstructionFlag = DiagnosticCode.Of(1102);
    /// <summary>The instruction has the wrong number or shape of arguments.</summary>
    public static readonly DiagnosticCode InvalidInstructionArguments = DiagnosticCode.Of(1103);
    /// <summary>The name after <c>FROM ... AS</c> is not a valid stage name.</summary>
    public static readonly DiagnosticCode InvalidStageName = DiagnosticCode.Of(1104);
    /// <summary>A <c>RUN --mount</c> value is malformed or inconsistent.</summary>
    public static readonly DiagnosticCode InvalidRunMount = DiagnosticCode.Of(1105);
    /// <summary>A <c>RUN --network</c> or <c>--security</c> value is not supported.</summary>
    public static readonly DiagnosticCode InvalidRunOption = DiagnosticCode.Of(1106);
    /// <summary>A <c>HEALTHCHECK</c> type, duration or retry count is invalid.</summary>
    public static readonly DiagnosticCode InvalidHealthcheck = DiagnosticCode.Of(1107);
    /// <summary><c>ONBUILD</c> wraps an instruction that may not be a trigger.</summary>
    public static readonly DiagnosticCode InvalidOnbuildTrigger = DiagnosticCode.Of(1108);
    /// <summary>An instruction other than <c>ARG</c> comes before the first <c>FROM</c>.</summary>
    public static readonly DiagnosticCode InstructionBeforeFrom = DiagnosticCode.Of(1109);
    /// <summary><c>SHELL</c> was not written as a JSON array.</summary>
    public static readonly DiagnosticCode ShellRequiresJson = DiagnosticCode.Of(1110);
    /// <summary>A heredoc is used where the instruction does not accept one.</summary>
    public static readonly DiagnosticCode HeredocNotAllowed = DiagnosticCode.Of(1111);
    /// <summary>Warning: <c>MAINTAINER</c> is deprecated in favour of a label.</summary>
    public static readonly DiagnosticCode MaintainerDeprecated = DiagnosticCode.Of(1112);
    #endregion

    #region Dockerfile expansion (KANIKO12xx)
    #endregion

    #region Planning (KANIKO13xx)
    /// <summary>The Dockerfile has no <c>FROM</c>, so there is nothing to build.</summary>
    public static readonly DiagnosticCode NoStages = DiagnosticCode.Of(1301);
    /// <summary>The requested target stage does not exist.</summary>
    public static readonly DiagnosticCode TargetNotFound = DiagnosticCode.Of(1302);
    /// <summary>Stages depend on each other in a cycle.</summary>
    public static readonly DiagnosticCode CircularStageDependency = DiagnosticCode.Of(1303);
    /// <summary><c>COPY --from</c> or <c>RUN --mount from</c> names the stage it is in.</summary>
    public static readonly DiagnosticCode CopyFromOwnStage = DiagnosticCode.Of(1304);
    /// <summary>A numeric <c>--from</c> is not the index of a stage.</summary>
    public static readonly DiagnosticCode InvalidStageIndex = DiagnosticCode.Of(1305);
    /// <summary>A stage is used before the stage that defines it.</summary>
    public static readonly DiagnosticCode StageDefinedLater = DiagnosticCode.Of(1306);
    /// <summary><c>COPY --from</c> contains a variable, which BuildKit does not expand.</summary>
    public static readonly DiagnosticCode FromFlagExpansion = DiagnosticCode.Of(1307);
    /// <summary>The image of a <c>FROM</c> expands to an empty string.</summary>
    public static readonly DiagnosticCode BlankBaseName = DiagnosticCode.Of(1308);
    /// <summary>A platform (<c>FROM --platform</c> or the requested one) cannot be parsed.</summary>
    public static readonly DiagnosticCode InvalidPlatform = DiagnosticCode.Of(1309);
    /// <summary>Warning: build arguments were given that no <c>ARG</c> declares.</summary>
    public static readonly DiagnosticCode UnusedBuildArgs = DiagnosticCode.Of(1310);
    /// <summary>Warning: <c>FROM</c> uses a variable that no global <c>ARG</c> declares.</summary>
    public static readonly DiagnosticCode UndefinedArgInFrom = DiagnosticCode.Of(1311);
    /// <summary>A build argument given to the build has no name.</summary>
    public static readonly DiagnosticCode InvalidBuildArgument = DiagnosticCode.Of(1312);
    /// <summary>Warning: two stages have the same name.</summary>
    public static readonly DiagnosticCode DuplicateStageName = DiagnosticCode.Of(1313);
    /// <summary><c>STOPSIGNAL</c> is not a known signal name or number.</summary>
    public static readonly DiagnosticCode InvalidStopSignal = DiagnosticCode.Of(1314);
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
