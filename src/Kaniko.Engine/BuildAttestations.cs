using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Kaniko.Engine.Attestations;
using Kaniko.Engine.Context;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Images;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine;

/// <summary>
/// Makes the attestations a request asks for (<see cref="AttestationOptions"/>) for each built image: the SBOM from
/// the image's own package records, the provenance from the request, the context and the images the build resolved.
/// </summary>
internal sealed class BuildAttestations
{
    private static readonly string[] ProxyArguments =
        ["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"];

    private readonly BuildRequest _request;
    private readonly OpenedContext _context;
    private readonly byte[] _dockerfileBytes;
    private readonly ResolvedImagesRecorder _resolved;
    private readonly DateTimeOffset _startedOn;
    private readonly DateTimeOffset? _fixedTime;

    // An image converted to other media types (an OCI layout of a Docker-format build) holds the same config and
    // layers: its packages are read once, and its statements carry the same finish time, only the subject differs.
    private readonly Dictionary<Digest, IReadOnlyList<SoftwarePackage>> _packagesByConfig = [];
    private DateTimeOffset? _finishedOn;

    public BuildAttestations(BuildRequest request, OpenedContext context, byte[] dockerfileBytes, ResolvedImagesRecorder resolved, DateTimeOffset startedOn, DateTimeOffset? fixedTime)
    {
        _request = request;
        _context = context;
        _dockerfileBytes = dockerfileBytes;
        _resolved = resolved;
        _startedOn = startedOn;
        _fixedTime = fixedTime;
    }

    /// <summary>This tool's version as attestations record it.</summary>
    public static string ToolVersion { get; } =
        typeof(BuildAttestations).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Checks the request's attestation settings before anything is built.</summary>
    public static void Validate(BuildRequest request)
    {
        var options = request.Attestations;
        if (options.SbomFile is not null && !options.Sbom)
        {
            throw new KanikoException(DiagnosticCodes.AttestationFileWithoutAttestation,
                string.Format(CultureInfo.InvariantCulture, Strings.AttestationFileWithoutAttestation, "--sbom-file", "SBOM", "--sbom"));
        }

        if (options.ProvenanceFile is not null && options.Provenance is ProvenanceMode.None)
        {
            throw new KanikoException(DiagnosticCodes.AttestationFileWithoutAttestation,
                string.Format(CultureInfo.InvariantCulture, Strings.AttestationFileWithoutAttestation, "--provenance-file", "provenance", "--provenance"));
        }
    }

    /// <summary>
    /// The attestation manifest of <paramref name="image"/>, built by <paramref name="plan"/>. The same image in
    /// other media types gets the same statements about its own digest.
    /// </summary>
    public async Task<AttestationManifest> AttestAsync(BuildPlan plan, MutatedImage image, string imageName, CancellationToken cancellationToken)
    {
        var options = _request.Attestations;
        var finishedOn = _finishedOn ??= _fixedTime ?? DateTimeOffset.UtcNow;
        var subject = new AttestedImage(imageName, image.Digest, plan.TargetPlatform, BaseImageOf(plan));
        var statements = new List<StatementLayer>();
        if (options.Sbom)
        {
            if (!_packagesByConfig.TryGetValue(image.Config.Digest, out var packages))
            {
                var files = await ImagePackageFiles.CollectAsync(image, cancellationToken).ConfigureAwait(false);
                var direct = options.ProjectAssetsFile is { } assets ? ProjectAssets.DirectDependencies(assets) : new HashSet<string>();
                packages = _packagesByConfig[image.Config.Digest] = ImageSoftware.Find(files, direct);
            }

            var predicateType = SbomPredicateType(options);
            var document = options.SbomFormat == SbomFormat.CycloneDx
                ? CycloneDxDocument.Write(subject, packages, finishedOn, ToolVersion)
                : SpdxDocument.Write(subject, packages, finishedOn, ToolVersion);
            statements.Add(new StatementLayer(InTotoStatement.Write(subject, predicateType, document), predicateType));
        }

        if (options.Provenance is ProvenanceMode.Min or ProvenanceMode.Max)
        {
            var predicate = SlsaProvenance.Write(Facts(plan, options, finishedOn));
            statements.Add(new StatementLayer(InTotoStatement.Write(subject, SlsaProvenance.PredicateType, predicate), SlsaProvenance.PredicateType));
        }

        return AttestationManifest.Create(image.Digest, statements);
    }

    /// <summary>Writes <c>--sbom-file</c> and <c>--provenance-file</c>: each statement of that type, one JSON document per line.</summary>
    public static async Task WriteFilesAsync(AttestationOptions options, IReadOnlyList<AttestationManifest> manifests, CancellationToken cancellationToken)
    {
        await WriteStatementsAsync(options.SbomFile, SbomPredicateType(options), manifests, cancellationToken).ConfigureAwait(false);
        await WriteStatementsAsync(options.ProvenanceFile, SlsaProvenance.PredicateType, manifests, cancellationToken).ConfigureAwait(false);
    }

    private static string SbomPredicateType(AttestationOptions options) =>
        options.SbomFormat == SbomFormat.CycloneDx ? CycloneDxDocument.PredicateType : SpdxDocument.PredicateType;

    private static async Task WriteStatementsAsync(string? file, string predicateType, IReadOnlyList<AttestationManifest> manifests, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return;
        }

        using var content = new MemoryStream();
        foreach (var statement in manifests.SelectMany(m => m.Statements).Where(s => s.PredicateType == predicateType))
        {
            content.Write(statement.Content.Span);
            content.WriteByte((byte)'\n');
        }

        await Outputs.OutputFiles.GuardAsync("attestation file " + file, () =>
            Outputs.OutputFiles.WriteAtomicallyAsync(file, content.ToArray(), cancellationToken)).ConfigureAwait(false);
    }

    private ResolvedImage? BaseImageOf(BuildPlan plan)
    {
        var stage = plan.Target;
        while (stage.BaseStage is { } index)
        {
            stage = plan.Stages.First(s => s.Index == index);
        }

        if (stage.IsScratch)
        {
            return null;
        }

        var reference = ImageReference.Parse(stage.From.BaseName);
        return _resolved.DigestOf(reference, stage.Platform ?? plan.TargetPlatform) is { } digest
            ? new ResolvedImage(reference.ToString(), digest)
            : null;
    }

    private ProvenanceFacts Facts(BuildPlan plan, AttestationOptions options, DateTimeOffset finishedOn)
    {
        var directory = _context.Materialized.Directory;
        var (gitUrl, gitCommit) = GitRevision(directory);
        var max = options.Provenance == ProvenanceMode.Max;
        return new ProvenanceFacts
        {
            Max = options.Provenance == ProvenanceMode.Max,
            BuilderId = options.BuilderId ?? SlsaProvenance.DefaultBuilderId,
            BuilderVersion = ToolVersion,
            Context = AsUri(_context.Materialized.Description),
            GitUrl = gitUrl,
            GitCommit = gitCommit,
            ArchiveDigest = ArchiveDigest(_request.Context),
            ContextDigest = max ? ContextDigest(_context.Files) : null,
            DockerfilePath = _context.Dockerfile.DisplayName,
            DockerfileDigest = Digest.Compute(_dockerfileBytes),
            BuildArgs = [.. _request.BuildArgs.Where(a => !ProxyArguments.Contains(a.Key, StringComparer.Ordinal))],
            Target = _request.Target,
            Platform = plan.TargetPlatform,
            BuildPlatform = plan.BuildPlatform,
            Materials = _resolved.For(plan.TargetPlatform, plan.BuildPlatform),
            Stages = max ? [.. plan.Stages.Select(s => (s.DisplayName, (IReadOnlyList<string>)[.. s.Steps.Select(step => step.Text).Prepend("FROM " + s.From.BaseName)]))] : [],
            StartedOn = _fixedTime ?? _startedOn,
            FinishedOn = finishedOn,
            Reproducible = _fixedTime is not null,
            InvocationId = _fixedTime is null ? Guid.NewGuid().ToString("D") : null,
        };
    }

    // Provenance names the context by URI: a local directory becomes a file: URI.
    private static string AsUri(string context) =>
        context.Contains("://", StringComparison.Ordinal) ? context : new Uri(Path.GetFullPath(context)).AbsoluteUri;

    // A tar:// context's archive is hashed as given; stdin and remote archives are not kept, so they have none.
    private static Digest? ArchiveDigest(string contextArgument)
    {
        const string scheme = "tar://";
        if (!contextArgument.StartsWith(scheme, StringComparison.Ordinal) || contextArgument == scheme + "stdin" || !File.Exists(contextArgument[scheme.Length..]))
        {
            return null;
        }

        using var file = File.OpenRead(contextArgument[scheme.Length..]);
        return Digest.FromParts(Digest.Sha256, Convert.ToHexStringLower(SHA256.HashData(file)));
    }

    // One line per entry the ignore rules keep (kind, path, mode, and the content's or link target's hash), hashed:
    // the same files give the same digest wherever the context lives.
    private static Digest ContextDigest(IBuildContext files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in files.EnumerateEntries())
        {
            var content = entry.Kind switch
            {
                ContextEntryKind.File => FileHash(files, entry.Path),
                ContextEntryKind.SymbolicLink => entry.LinkTarget ?? string.Empty,
                _ => string.Empty,
            };
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{entry.Kind} {entry.Path} {(int)entry.Mode} {content}\n")));
        }

        return Digest.FromParts(Digest.Sha256, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private static string FileHash(IBuildContext files, string path)
    {
        using var stream = files.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    // The revision of a context that is a git checkout (a local repository or a cloned git context), read with git
    // itself; without git or a repository there is none. Credentials in the origin URL are removed.
    private static (string? Url, string? Commit) GitRevision(string directory)
    {
        if (!Directory.Exists(Path.Combine(directory, ".git")) && !File.Exists(Path.Combine(directory, ".git")))
        {
            return (null, null);
        }

        var commit = Git(directory, "rev-parse", "HEAD");
        var url = Git(directory, "config", "--get", "remote.origin.url");
        return (url is null ? null : WithoutCredentials(url), commit);
    }

    private static string? Git(string directory, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-C");
            start.ArgumentList.Add(directory);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string WithoutCredentials(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty }.Uri.ToString()
            : url;
}
