namespace Kaniko.Engine.Diagnostics;

/// <summary>
/// The catalogue of codes. Each area owns a range and adds its codes in its own region; the docs table in
/// <c>docs/diagnostics.md</c> is kept in step (a test checks that every code here is documented).
/// A code table, kept in one file on purpose so that every range and its owner are seen together.
/// </summary>
public static class DiagnosticCodes
{
    #region General (KANIKO00xx)
    /// <summary>A bug in the tool: the message carries the detail.</summary>
    public static readonly DiagnosticCode InternalError = DiagnosticCode.Of(1);
    /// <summary>The command line or the build request is invalid.</summary>
    public static readonly DiagnosticCode InvalidRequest = DiagnosticCode.Of(2);
    /// <summary>A disk (the work folder's, the cache's, an output's) is full, or the user's quota is used up.</summary>
    public static readonly DiagnosticCode NoSpaceLeft = DiagnosticCode.Of(3);
    /// <summary>A file or folder the build needs (work folder, cache, output) cannot be read or written: permissions.</summary>
    public static readonly DiagnosticCode AccessDenied = DiagnosticCode.Of(4);
    #endregion

    #region Dockerfile syntax (KANIKO10xx)
    /// <summary>The Dockerfile holds no instruction: it is empty, or only comments, blank lines or directives.</summary>
    public static readonly DiagnosticCode DockerfileHasNoInstructions = DiagnosticCode.Of(1001);
    /// <summary>The <c>escape</c> parser directive names a character other than backslash or backtick.</summary>
    public static readonly DiagnosticCode InvalidEscapeDirective = DiagnosticCode.Of(1002);
    /// <summary>A parser directive (<c>syntax</c>, <c>escape</c>, <c>check</c>) appears twice.</summary>
    public static readonly DiagnosticCode DuplicateParserDirective = DiagnosticCode.Of(1003);
    /// <summary>A physical line is longer than the 64 KiB BuildKit accepts.</summary>
    public static readonly DiagnosticCode DockerfileLineTooLong = DiagnosticCode.Of(1004);
    /// <summary>A JSON-form argument list holds something other than strings.</summary>
    public static readonly DiagnosticCode JsonArrayNotStrings = DiagnosticCode.Of(1005);
    /// <summary>A legacy <c>ENV</c> or <c>LABEL</c> (<c>KEY value</c>) has a key and no value.</summary>
    public static readonly DiagnosticCode KeyValueMissingValue = DiagnosticCode.Of(1006);
    /// <summary>An <c>ENV</c> or <c>LABEL</c> in <c>key=value</c> form has a word without <c>=</c>.</summary>
    public static readonly DiagnosticCode KeyValueMissingEquals = DiagnosticCode.Of(1007);
    /// <summary>The file ends before the line that closes a here-document.</summary>
    public static readonly DiagnosticCode UnterminatedHeredoc = DiagnosticCode.Of(1008);
    /// <summary>A here-document marker (<c>&lt;&lt;WORD</c>) cannot be read as a shell word.</summary>
    public static readonly DiagnosticCode InvalidHeredocMarker = DiagnosticCode.Of(1009);
    /// <summary>Warning: an empty line inside a line continuation (BuildKit will reject these one day).</summary>
    public static readonly DiagnosticCode EmptyContinuationLine = DiagnosticCode.Of(1010);
    /// <summary>An instruction holds a byte that is not UTF-8 (comments may).</summary>
    public static readonly DiagnosticCode DockerfileNotUtf8 = DiagnosticCode.Of(1015);
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
    /// <summary><c>FROM --platform</c> expands to an empty string.</summary>
    public static readonly DiagnosticCode EmptyStagePlatform = DiagnosticCode.Of(1309);
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
    /// <summary>Warning: an <c>ARG</c> or <c>ENV</c> name looks like it holds a secret (BuildKit's <c>SecretsUsedInArgOrEnv</c>).</summary>
    public static readonly DiagnosticCode SecretsUsedInArgOrEnv = DiagnosticCode.Of(1320);
    #endregion

    #region Build context (KANIKO2xxx)
    /// <summary>The build context names a bucket store (<c>s3://</c>, <c>gs://</c>) that no registered remote source handles.</summary>
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
    /// <summary>The build context holds a FIFO, socket or device, which a build cannot send (reading a FIFO would hang).</summary>
    public static readonly DiagnosticCode ContextSpecialFile = DiagnosticCode.Of(2060);
    /// <summary>The local archive a <c>tar://</c> context names does not exist.</summary>
    public static readonly DiagnosticCode ContextArchiveNotFound = DiagnosticCode.Of(2030);
    /// <summary>The bytes a <c>tar://</c>, URL or bucket context gave are not a tar archive.</summary>
    public static readonly DiagnosticCode ContextNotAnArchive = DiagnosticCode.Of(2031);
    /// <summary>A context archive cannot be unpacked (corrupt, a device node, a hard link to nothing).</summary>
    public static readonly DiagnosticCode ContextArchiveInvalid = DiagnosticCode.Of(2032);
    /// <summary>Downloading an <c>http(s)://</c> context failed.</summary>
    public static readonly DiagnosticCode ContextDownloadFailed = DiagnosticCode.Of(2033);
    /// <summary>Fetching a git context failed (git's message follows).</summary>
    public static readonly DiagnosticCode ContextGitFailed = DiagnosticCode.Of(2034);
    /// <summary>The branch, tag, ref or commit a git context names does not exist on the remote.</summary>
    public static readonly DiagnosticCode ContextGitRefNotFound = DiagnosticCode.Of(2035);
    /// <summary>The sub-directory a context names (<c>--context-sub-path</c>, <c>#ref:subdir</c>) is not a directory of it.</summary>
    public static readonly DiagnosticCode ContextSubPathNotFound = DiagnosticCode.Of(2036);
    /// <summary>A <c>--git</c> option is malformed.</summary>
    public static readonly DiagnosticCode ContextGitOptionInvalid = DiagnosticCode.Of(2037);
    /// <summary>A git context URL is malformed.</summary>
    public static readonly DiagnosticCode ContextGitUrlInvalid = DiagnosticCode.Of(2038);
    /// <summary>The context is read from standard input, and the host gives none.</summary>
    public static readonly DiagnosticCode ContextStandardInputUnavailable = DiagnosticCode.Of(2039);
    /// <summary>The archive a bucket context names (S3, Google Cloud Storage, Azure Blob) does not exist.</summary>
    public static readonly DiagnosticCode ContextObjectNotFound = DiagnosticCode.Of(2050);
    /// <summary>The store refused to give the bucket context's archive to the credentials found.</summary>
    public static readonly DiagnosticCode ContextAccessDenied = DiagnosticCode.Of(2051);
    /// <summary>No credentials were found for the store of a bucket context.</summary>
    public static readonly DiagnosticCode ContextCredentialsMissing = DiagnosticCode.Of(2052);
    /// <summary>The store of a bucket context could not be reached, even after its client's retries.</summary>
    public static readonly DiagnosticCode ContextStoreUnreachable = DiagnosticCode.Of(2053);
    /// <summary>A bucket context address (<c>s3://</c>, <c>gs://</c>, an Azure blob URL) is malformed.</summary>
    public static readonly DiagnosticCode ContextBucketUrlInvalid = DiagnosticCode.Of(2054);
    /// <summary>The store of a bucket context answered with an error other than missing or denied.</summary>
    public static readonly DiagnosticCode ContextStoreFailed = DiagnosticCode.Of(2055);
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

    // Registry client: 3200-3299.
    /// <summary>The registry cannot be reached: unknown host, connection refused or reset, TLS failure.</summary>
    public static readonly DiagnosticCode RegistryUnreachable = DiagnosticCode.Of(3200);
    /// <summary>The registry answered a request with an error status the operation cannot go past.</summary>
    public static readonly DiagnosticCode RegistryRequestFailed = DiagnosticCode.Of(3201);
    /// <summary>The registry refused access (401 without a challenge, or 403).</summary>
    public static readonly DiagnosticCode RegistryAccessDenied = DiagnosticCode.Of(3202);
    /// <summary>The registry has no manifest for the tag or digest.</summary>
    public static readonly DiagnosticCode ManifestUnknown = DiagnosticCode.Of(3203);
    /// <summary>The registry has no blob with the digest.</summary>
    public static readonly DiagnosticCode BlobUnknown = DiagnosticCode.Of(3204);
    /// <summary>A manifest is larger than the 4 MiB a client accepts.</summary>
    public static readonly DiagnosticCode ManifestTooLarge = DiagnosticCode.Of(3205);
    /// <summary>A manifest does not hash to the digest it was pulled by, or to the registry's Docker-Content-Digest.</summary>
    public static readonly DiagnosticCode ManifestDigestMismatch = DiagnosticCode.Of(3206);
    /// <summary>A manifest has a media type this tool cannot read as an image or index.</summary>
    public static readonly DiagnosticCode ManifestMediaTypeUnsupported = DiagnosticCode.Of(3207);
    /// <summary>An index has no image for the requested platform.</summary>
    public static readonly DiagnosticCode PlatformNotFound = DiagnosticCode.Of(3208);
    /// <summary>A request kept failing with transient errors until the retries ran out.</summary>
    public static readonly DiagnosticCode RegistryRetriesExhausted = DiagnosticCode.Of(3209);
    /// <summary>A blob upload was refused by the registry.</summary>
    public static readonly DiagnosticCode BlobUploadFailed = DiagnosticCode.Of(3210);
    /// <summary>A blob download stopped before its end.</summary>
    public static readonly DiagnosticCode BlobTransferInterrupted = DiagnosticCode.Of(3211);
    /// <summary>The registry did not answer in time.</summary>
    public static readonly DiagnosticCode RegistryTimeout = DiagnosticCode.Of(3212);
    /// <summary>A request was redirected too many times.</summary>
    public static readonly DiagnosticCode TooManyRedirects = DiagnosticCode.Of(3213);
    /// <summary>The CA certificate file given for a registry cannot be read.</summary>
    public static readonly DiagnosticCode RegistryCertificateUnreadable = DiagnosticCode.Of(3214);
    /// <summary>A registry setting (certificate mapping, mirror, retry count) is malformed.</summary>
    public static readonly DiagnosticCode InvalidRegistryOption = DiagnosticCode.Of(3215);
    /// <summary>An index to push refers to a manifest that was neither pushed nor found in the registry.</summary>
    public static readonly DiagnosticCode PushReferencesMissingContent = DiagnosticCode.Of(3216);
    // 3301-3309: layers (writing and reading layer blobs); 3310-3319: image mutation.
    /// <summary>A layer entry's path is empty, names the root, holds <c>..</c> or a NUL character.</summary>
    public static readonly DiagnosticCode InvalidLayerEntryPath = DiagnosticCode.Of(3301);
    /// <summary>Two entries of one layer have the same tar name.</summary>
    public static readonly DiagnosticCode DuplicateLayerEntry = DiagnosticCode.Of(3302);
    /// <summary>A file's content is longer or shorter than its entry declared (it changed while the layer was written).</summary>
    public static readonly DiagnosticCode LayerEntrySizeMismatch = DiagnosticCode.Of(3303);
    /// <summary>A layer's media type names a compression this tool cannot decompress.</summary>
    public static readonly DiagnosticCode UnsupportedLayerMediaType = DiagnosticCode.Of(3304);
    /// <summary>A compression level is outside the range of its compression.</summary>
    public static readonly DiagnosticCode InvalidCompressionLevel = DiagnosticCode.Of(3305);
    /// <summary>A layer's media type cannot be listed in the manifest format of the image (zstd in Docker schema 2).</summary>
    public static readonly DiagnosticCode LayerNotAllowedInManifest = DiagnosticCode.Of(3310);
    /// <summary>An image's manifest, config and layers disagree (counts or digests).</summary>
    public static readonly DiagnosticCode InconsistentImage = DiagnosticCode.Of(3311);
    // 3400-3449: the layer cache of build steps (--cache, --cache-repo).
    /// <summary>The registry layer cache cannot be reached or refuses lookups; the build goes on without it (a warning).</summary>
    public static readonly DiagnosticCode LayerCacheUnavailable = DiagnosticCode.Of(3400);
    /// <summary>A layer could not be stored in a layer cache; the build goes on (a warning).</summary>
    public static readonly DiagnosticCode LayerCacheWriteFailed = DiagnosticCode.Of(3401);
    /// <summary><c>--cache-repo</c> is not a repository reference.</summary>
    public static readonly DiagnosticCode InvalidCacheRepository = DiagnosticCode.Of(3402);
    /// <summary>A local layer cache entry cannot be read; it is ignored (a warning).</summary>
    public static readonly DiagnosticCode LayerCacheEntryUnreadable = DiagnosticCode.Of(3403);
    /// <summary><c>--cache-ttl</c> is not a duration.</summary>
    public static readonly DiagnosticCode InvalidCacheTtl = DiagnosticCode.Of(3404);
    #endregion

    #region Execution (KANIKO4xxx)
    // 4100-4199: COPY and ADD from the build context.
    /// <summary>The <c>--chmod</c> value of <c>COPY</c> or <c>ADD</c> is neither an octal mode up to 07777 nor a symbolic mode.</summary>
    public static readonly DiagnosticCode InvalidChmod = DiagnosticCode.Of(4101);
    /// <summary>An <c>--exclude</c> (or <c>--parents</c>) pattern of <c>COPY</c> or <c>ADD</c> is malformed.</summary>
    public static readonly DiagnosticCode InvalidCopyPattern = DiagnosticCode.Of(4102);
    /// <summary><c>COPY</c> names a URL as a source (only <c>ADD</c> may).</summary>
    public static readonly DiagnosticCode CopyUrlSource = DiagnosticCode.Of(4103);
    /// <summary>A <c>COPY</c> or <c>ADD</c> source does not exist in the build context (or the ignore file leaves it out).</summary>
    public static readonly DiagnosticCode CopySourceNotFound = DiagnosticCode.Of(4110);
    /// <summary>A <c>COPY</c> or <c>ADD</c> source climbs out of the build context with <c>..</c> and names nothing inside it.</summary>
    public static readonly DiagnosticCode CopySourceOutsideContext = DiagnosticCode.Of(4111);
    /// <summary>A <c>COPY</c> or <c>ADD</c> source goes through a symbolic link whose target lies outside the build context.</summary>
    public static readonly DiagnosticCode CopySourceSymlinkOutsideContext = DiagnosticCode.Of(4112);
    /// <summary>Resolving a <c>COPY</c> or <c>ADD</c> source met too many symbolic links.</summary>
    public static readonly DiagnosticCode CopySourceSymlinkLoop = DiagnosticCode.Of(4113);
    /// <summary>Warning: the user named by <c>--chown</c> is not in the stage's <c>/etc/passwd</c>; 0 is used, as in BuildKit.</summary>
    public static readonly DiagnosticCode ChownUserNotFound = DiagnosticCode.Of(4120);
    /// <summary>Warning: the group named by <c>--chown</c> is not in the stage's <c>/etc/group</c>; the user's group is kept, as in BuildKit.</summary>
    public static readonly DiagnosticCode ChownGroupNotFound = DiagnosticCode.Of(4121);
    /// <summary>The <c>--chown</c> user of <c>COPY</c> or <c>ADD</c> is not in the stage's <c>/etc/passwd</c>: the step fails.</summary>
    public static readonly DiagnosticCode ChownUserUnknown = DiagnosticCode.Of(4130);
    /// <summary>The <c>--chown</c> group of <c>COPY</c> or <c>ADD</c> is not in the stage's <c>/etc/group</c>: the step fails.</summary>
    public static readonly DiagnosticCode ChownGroupUnknown = DiagnosticCode.Of(4131);
    // 4000-4099: the image config state (metadata instructions).
    /// <summary>An <c>EXPOSE</c> word is not a valid <c>[ip:][hostPort:]port[-end][/protocol]</c>.</summary>
    public static readonly DiagnosticCode InvalidExposedPort = DiagnosticCode.Of(4001);
    /// <summary>A <c>VOLUME</c> path is empty (after expansion).</summary>
    public static readonly DiagnosticCode EmptyVolume = DiagnosticCode.Of(4002);
    // 42xx: ADD's special sources (local archives, URLs, git repositories).
    /// <summary>A local archive given to <c>ADD</c> cannot be read as a tar.</summary>
    public static readonly DiagnosticCode ArchiveUnreadable = DiagnosticCode.Of(4201);
    /// <summary>An archive entry has a type a layer cannot hold (device, FIFO, sparse file).</summary>
    public static readonly DiagnosticCode ArchiveEntryUnsupported = DiagnosticCode.Of(4202);
    /// <summary>An archive hard link does not point to a file earlier in the same archive.</summary>
    public static readonly DiagnosticCode ArchiveHardLinkInvalid = DiagnosticCode.Of(4203);
    /// <summary>An archive entry lies under a name the archive made a file or link.</summary>
    public static readonly DiagnosticCode ArchiveEntryParentNotDirectory = DiagnosticCode.Of(4204);
    /// <summary>Resolving an archive entry through earlier symbolic links met too many links.</summary>
    public static readonly DiagnosticCode ArchiveSymlinkLoop = DiagnosticCode.Of(4205);
    /// <summary>A URL given to <c>ADD</c> cannot be downloaded.</summary>
    public static readonly DiagnosticCode HttpSourceFailed = DiagnosticCode.Of(4210);
    /// <summary>The content of a URL does not have the digest given with <c>--checksum</c>.</summary>
    public static readonly DiagnosticCode HttpSourceChecksumMismatch = DiagnosticCode.Of(4211);
    /// <summary>The value of <c>ADD --checksum</c> is not a digest this tool can check.</summary>
    public static readonly DiagnosticCode InvalidAddChecksum = DiagnosticCode.Of(4212);
    /// <summary>A git source needs the <c>git</c> program and it is not installed.</summary>
    public static readonly DiagnosticCode GitNotFound = DiagnosticCode.Of(4220);
    /// <summary>A git command run for a git source failed.</summary>
    public static readonly DiagnosticCode GitCommandFailed = DiagnosticCode.Of(4221);
    /// <summary>A git source reference (fragment or query) is malformed.</summary>
    public static readonly DiagnosticCode InvalidGitSource = DiagnosticCode.Of(4222);
    /// <summary>The subdirectory asked of a git source is not a directory of the checkout.</summary>
    public static readonly DiagnosticCode GitSubdirNotFound = DiagnosticCode.Of(4223);
    // 4230-4249: audit of the build against BuildKit.
    /// <summary><c>ADD --checksum</c> with a source that is neither a URL nor a git repository (BuildKit's rule).</summary>
    public static readonly DiagnosticCode AddChecksumNeedsRemoteSource = DiagnosticCode.Of(4230);
    /// <summary><c>ADD --checksum</c> with more than one source (BuildKit's rule).</summary>
    public static readonly DiagnosticCode AddChecksumSeveralSources = DiagnosticCode.Of(4231);
    // 4300-4399: running the build (stages, steps, base images).
    // 4300 (RunNotSupported, "RUN is not supported yet") is retired: RUN steps run.
    /// <summary>A <c>RUN</c> step's command exited with a non-zero code; the message names the step and its line.</summary>
    public static readonly DiagnosticCode RunStepFailed = DiagnosticCode.Of(4301);
    /// <summary>The program a <c>RUN</c> step starts (its shell, or the first word of the exec form) is not in the stage's filesystem.</summary>
    public static readonly DiagnosticCode RunProgramNotFound = DiagnosticCode.Of(4302);
    /// <summary><c>RUN --security=insecure</c>: steps always run sandboxed here.</summary>
    public static readonly DiagnosticCode RunSecurityInsecure = DiagnosticCode.Of(4303);
    /// <summary>A <c>RUN</c> in a stage of another architecture, and no qemu-user binfmt handler is registered for it.</summary>
    public static readonly DiagnosticCode ForeignPlatformRun = DiagnosticCode.Of(4304);
    /// <summary>Warning: the base image names one platform only, and not the one the stage is built for.</summary>
    public static readonly DiagnosticCode BaseImagePlatformMismatch = DiagnosticCode.Of(4305);
    // 4306 (RunMountNotSupported, "RUN --mount is not supported by this version") is retired: mounts are made (4600-4649).
    /// <summary>A <c>RUN</c> step on an operating system other than Linux.</summary>
    public static readonly DiagnosticCode RunNeedsLinux = DiagnosticCode.Of(4307);
    /// <summary><c>--isolation none</c> with <c>RUN</c> steps in more than one stage: they would share <c>/</c>.</summary>
    public static readonly DiagnosticCode IsolationNoneSecondStage = DiagnosticCode.Of(4308);
    // 44xx: running RUN steps in a sandbox.
    /// <summary>No sandbox can run <c>RUN</c> here: bubblewrap is missing or not permitted, and chroot mode needs root.</summary>
    public static readonly DiagnosticCode SandboxUnavailable = DiagnosticCode.Of(4401);
    /// <summary>The isolation asked for (bubblewrap, chroot) cannot be used on this machine.</summary>
    public static readonly DiagnosticCode SandboxKindUnavailable = DiagnosticCode.Of(4402);
    /// <summary>The root filesystem given to a sandbox is missing, or is <c>/</c> without <c>--isolation none</c> (or the reverse).</summary>
    public static readonly DiagnosticCode SandboxRootFsInvalid = DiagnosticCode.Of(4403);
    /// <summary>The <c>RUN</c> user is not in the stage's <c>/etc/passwd</c>.</summary>
    public static readonly DiagnosticCode RunUserNotFound = DiagnosticCode.Of(4404);
    /// <summary>The <c>RUN</c> group is not in the stage's <c>/etc/group</c>.</summary>
    public static readonly DiagnosticCode RunGroupNotFound = DiagnosticCode.Of(4405);
    /// <summary>The <c>RUN</c> working directory cannot be created or is not a directory.</summary>
    public static readonly DiagnosticCode RunWorkingDirectoryInvalid = DiagnosticCode.Of(4406);
    /// <summary>A mount asked for a <c>RUN</c> step is invalid or cannot be made in this isolation mode.</summary>
    public static readonly DiagnosticCode RunMountInvalid = DiagnosticCode.Of(4407);
    /// <summary>Warning: the sandbox could not give the step everything a container has (groups, /proc, device nodes).</summary>
    public static readonly DiagnosticCode SandboxDegraded = DiagnosticCode.Of(4450);
    // 4460-4469: rootless builds with subordinate id ranges (user namespaces).
    /// <summary>Warning: <c>RUN</c> steps run rootless with one mapped id, so the owners of what they write are flattened.</summary>
    public static readonly DiagnosticCode RootlessOneIdMapped = DiagnosticCode.Of(4460);
    /// <summary>The user has subordinate id ranges but <c>unshare</c>, <c>newuidmap</c> or <c>newgidmap</c> is missing.</summary>
    public static readonly DiagnosticCode RootlessIdMapToolMissing = DiagnosticCode.Of(4461);
    /// <summary>The user's line in <c>/etc/subuid</c> or <c>/etc/subgid</c> is malformed, or the user has a range in only one of them.</summary>
    public static readonly DiagnosticCode RootlessIdRangesInvalid = DiagnosticCode.Of(4462);
    /// <summary>The system refused the user namespace that maps the user's ranges (<c>newuidmap</c> or <c>unshare</c> failed).</summary>
    public static readonly DiagnosticCode RootlessUserNamespaceFailed = DiagnosticCode.Of(4463);
    /// <summary>Warning: an owner in a layer is outside the ids the user namespace maps; on disk the file keeps the building user.</summary>
    public static readonly DiagnosticCode RootlessOwnerOutsideRange = DiagnosticCode.Of(4464);
    // 4470-4489: running in a container whose / the tool does not own (the executor image in a Kubernetes pod).
    /// <summary><c>RUN</c> in kaniko's mode (<c>--isolation none</c>) by a process that is not root in its container.</summary>
    public static readonly DiagnosticCode RunNeedsRootInContainer = DiagnosticCode.Of(4470);
    /// <summary>The folder of the build's temporary files or of its cache cannot be written (a read-only root, another user's folder).</summary>
    public static readonly DiagnosticCode BuildFolderNotWritable = DiagnosticCode.Of(4471);
    /// <summary>Warning: only the pull flags name the cache repository's registry insecure; as in kaniko they do not cover it.</summary>
    public static readonly DiagnosticCode CacheRepositoryNeedsPushFlags = DiagnosticCode.Of(4472);
    // 4500-4599: the root filesystem (unpacking layers, snapshots).
    /// <summary>Resolving a path inside the root filesystem met too many symbolic links.</summary>
    public static readonly DiagnosticCode RootFsSymlinkLoop = DiagnosticCode.Of(4501);
    /// <summary>A layer being unpacked into the root filesystem is not a readable tar.</summary>
    public static readonly DiagnosticCode LayerUnreadable = DiagnosticCode.Of(4502);
    /// <summary>A hard link of a layer points to a path that is missing or is a directory.</summary>
    public static readonly DiagnosticCode LayerHardLinkInvalid = DiagnosticCode.Of(4503);
    /// <summary>Warning: the process is not root, so file owners of a layer are recorded, not applied.</summary>
    public static readonly DiagnosticCode RootFsOwnersNotApplied = DiagnosticCode.Of(4510);
    /// <summary>Warning: a device node or FIFO of a layer was skipped (creating it needs root).</summary>
    public static readonly DiagnosticCode RootFsSpecialFileSkipped = DiagnosticCode.Of(4511);
    /// <summary>Warning: an extended attribute of a layer could not be set.</summary>
    public static readonly DiagnosticCode RootFsXattrSkipped = DiagnosticCode.Of(4512);
    /// <summary>Warning: a snapshot found a device node, FIFO or socket, which a layer entry cannot hold.</summary>
    public static readonly DiagnosticCode SnapshotSpecialFileSkipped = DiagnosticCode.Of(4513);
    // 4520-4529: builds on Windows and macOS.
    /// <summary><c>--single-snapshot</c> on another operating system than Linux: it snapshots a root filesystem, which needs Linux.</summary>
    public static readonly DiagnosticCode SingleSnapshotNeedsLinux = DiagnosticCode.Of(4520);
    // 4600-4649: RUN --mount, secrets and SSH agents.
    /// <summary>A <c>--secret</c> value is malformed (it needs <c>id=</c>, and <c>type</c> is <c>file</c> or <c>env</c>).</summary>
    public static readonly DiagnosticCode SecretSpecInvalid = DiagnosticCode.Of(4600);
    /// <summary>The file of a <c>--secret</c> cannot be read or is larger than 500 KiB.</summary>
    public static readonly DiagnosticCode SecretUnreadable = DiagnosticCode.Of(4601);
    /// <summary>A <c>RUN --mount=type=secret,required</c> names a secret the build was not given.</summary>
    public static readonly DiagnosticCode SecretRequired = DiagnosticCode.Of(4602);
    /// <summary>A <c>--ssh</c> value is malformed, names no agent socket, or names key files (only agent sockets are supported).</summary>
    public static readonly DiagnosticCode SshSpecInvalid = DiagnosticCode.Of(4603);
    /// <summary>A <c>RUN --mount=type=ssh,required</c> names an SSH agent the build was not given.</summary>
    public static readonly DiagnosticCode SshRequired = DiagnosticCode.Of(4604);
    /// <summary>The source of a bind or cache mount does not exist in the context, stage or image it is read from.</summary>
    public static readonly DiagnosticCode MountSourceNotFound = DiagnosticCode.Of(4605);
    /// <summary>A cache mount's folder cannot be created, locked or seeded.</summary>
    public static readonly DiagnosticCode CacheMountFailed = DiagnosticCode.Of(4606);
    /// <summary>A mount target is <c>/</c> once joined with the working directory.</summary>
    public static readonly DiagnosticCode MountTargetInvalid = DiagnosticCode.Of(4607);
    /// <summary>A mount of a <c>RUN</c> step was still mounted in the root filesystem after the step; the step fails rather than snapshot it.</summary>
    public static readonly DiagnosticCode MountLeftBehind = DiagnosticCode.Of(4608);
    // 4740-4747: the stage-root ladder.
    /// <summary><c>--stage-root=fuse-overlay</c> where <c>fuse-overlayfs</c> cannot mount a stage's root (the message says why).</summary>
    public static readonly DiagnosticCode StageRootFuseUnavailable = DiagnosticCode.Of(4740);
    #endregion

    #region Outputs (KANIKO5xxx)
    /// <summary>An output (OCI layout, tarball, digest file) cannot be written.</summary>
    public static readonly DiagnosticCode OutputWriteFailed = DiagnosticCode.Of(5001);
    /// <summary>An existing directory given as an OCI layout is not one this tool can add to.</summary>
    public static readonly DiagnosticCode InvalidOciLayout = DiagnosticCode.Of(5002);
    /// <summary>A name given to an output (layout reference name, tarball tag) is not valid.</summary>
    public static readonly DiagnosticCode InvalidOutputTag = DiagnosticCode.Of(5003);
    /// <summary>A digest file that lists image names was asked for without any destination.</summary>
    public static readonly DiagnosticCode DigestFileNeedsDestination = DiagnosticCode.Of(5004);
    /// <summary>The build has nowhere to go: no <c>--destination</c> and no <c>--no-push</c>.</summary>
    public static readonly DiagnosticCode DestinationRequired = DiagnosticCode.Of(5005);
    /// <summary><c>--tar-path</c> with several platforms: a <c>docker load</c> tarball holds one image per name.</summary>
    public static readonly DiagnosticCode TarballNeedsOnePlatform = DiagnosticCode.Of(5006);
    /// <summary>Warning: <c>--image-format docker</c> with zstd layers, which Docker schema 2 cannot list: OCI media types are written.</summary>
    public static readonly DiagnosticCode ImageFormatForcedToOci = DiagnosticCode.Of(5020);
    /// <summary>A <c>--sbom</c> or <c>--provenance</c> value is not one buildx accepts.</summary>
    public static readonly DiagnosticCode InvalidAttestationOption = DiagnosticCode.Of(5100);
    /// <summary>An attestation file (<c>--sbom-file</c>, <c>--provenance-file</c>) was asked for without the attestation itself.</summary>
    public static readonly DiagnosticCode AttestationFileWithoutAttestation = DiagnosticCode.Of(5101);
    /// <summary>The <c>project.assets.json</c> given to the SBOM cannot be read.</summary>
    public static readonly DiagnosticCode ProjectAssetsUnreadable = DiagnosticCode.Of(5102);
    #endregion

    #region MSBuild tasks (KANIKO6xxx)
    /// <summary>An image push was asked for from MSBuild (<c>KanikoPush</c>) but no registry is set.</summary>
    public static readonly DiagnosticCode MSBuildRegistryRequired = DiagnosticCode.Of(6001);
    /// <summary>The repository or a tag given to the MSBuild SDK is not a valid image name part.</summary>
    public static readonly DiagnosticCode MSBuildInvalidImageName = DiagnosticCode.Of(6002);
    /// <summary>No Dockerfile, and no base image given or inferable for the generated one.</summary>
    public static readonly DiagnosticCode MSBuildBaseImageRequired = DiagnosticCode.Of(6003);
    /// <summary><c>KanikoContext</c> is neither <c>publish</c> nor <c>project</c>.</summary>
    public static readonly DiagnosticCode MSBuildInvalidContextKind = DiagnosticCode.Of(6004);
    /// <summary>A runtime identifier has no container platform (not a Linux RID with a known architecture).</summary>
    public static readonly DiagnosticCode MSBuildUnknownRuntimeIdentifier = DiagnosticCode.Of(6005);
    /// <summary>The image build was cancelled (Ctrl+C).</summary>
    public static readonly DiagnosticCode MSBuildBuildCancelled = DiagnosticCode.Of(6006);
    /// <summary>The tasks run only in the .NET MSBuild (<c>dotnet build</c>), not in .NET Framework MSBuild.</summary>
    public static readonly DiagnosticCode MSBuildCoreRequired = DiagnosticCode.Of(6007);
    /// <summary>A <c>KanikoBuildArg</c>, <c>KanikoLabel</c> or <c>Container*</c> item is malformed.</summary>
    public static readonly DiagnosticCode MSBuildInvalidItem = DiagnosticCode.Of(6008);
    /// <summary>No registry, no archive, and neither docker nor podman to load the image into.</summary>
    public static readonly DiagnosticCode MSBuildNoLocalContainerEngine = DiagnosticCode.Of(6020);
    /// <summary><c>docker load</c> or <c>podman load</c> of the built image failed.</summary>
    public static readonly DiagnosticCode MSBuildLocalLoadFailed = DiagnosticCode.Of(6021);
    /// <summary><c>LocalRegistry</c> is neither <c>Docker</c> nor <c>Podman</c>.</summary>
    public static readonly DiagnosticCode MSBuildUnknownLocalRegistry = DiagnosticCode.Of(6022);
    /// <summary>A <c>Container*</c> property or item is set but the project's own Dockerfile decides that part of the image (a warning).</summary>
    public static readonly DiagnosticCode MSBuildContainerPropertyOverridden = DiagnosticCode.Of(6023);
    /// <summary>The <c>ContainerEntrypoint*</c>, <c>ContainerAppCommand*</c> and <c>ContainerDefaultArgs</c> items do not fit together.</summary>
    public static readonly DiagnosticCode MSBuildInvalidAppCommand = DiagnosticCode.Of(6024);
    /// <summary>The MSBuild running the build cannot load the tasks: an SDK older than 10, or .NET Framework MSBuild without a .NET task host.</summary>
    public static readonly DiagnosticCode MSBuildHostTooOld = DiagnosticCode.Of(6025);
    /// <summary>The <c>SOURCE_DATE_EPOCH</c> property is not a number of seconds since 1970.</summary>
    public static readonly DiagnosticCode MSBuildInvalidSourceDateEpoch = DiagnosticCode.Of(6026);
    /// <summary><c>ContainerImageFormat</c> is neither <c>Docker</c> nor <c>OCI</c>.</summary>
    public static readonly DiagnosticCode MSBuildInvalidImageFormat = DiagnosticCode.Of(6027);
    #endregion
}
