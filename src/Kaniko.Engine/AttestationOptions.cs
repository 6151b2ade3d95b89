using System.Globalization;
using Kaniko.Engine.Diagnostics;

namespace Kaniko.Engine;

/// <summary>How much a provenance attestation records, as BuildKit names the levels (<c>--provenance=mode=min|max</c>).</summary>
public enum ProvenanceMode
{
    /// <summary>No provenance attestation.</summary>
    None,

    /// <summary>
    /// The builder, the build's parameters (context, Dockerfile path and digest, build arguments, target, platform),
    /// the base images resolved to digests, the times and whether the build was reproducible.
    /// </summary>
    Min,

    /// <summary>Everything of <see cref="Min"/>, plus the context's content digest and each stage's expanded steps.</summary>
    Max,
}

/// <summary>The document format of the SBOM (<c>--sbom=format=spdx|cyclonedx</c>).</summary>
public enum SbomFormat
{
    /// <summary>SPDX 2.3 JSON (predicate type <c>https://spdx.dev/Document</c>), as BuildKit's scanner writes.</summary>
    Spdx,

    /// <summary>CycloneDX 1.6 JSON (predicate type <c>https://cyclonedx.org/bom</c>).</summary>
    CycloneDx,
}

/// <summary>
/// The attestations a build attaches to its image (<c>--sbom</c>, <c>--provenance</c>) and the files it also writes
/// them to. Attestations are attached as BuildKit attaches them: the pushed tag then names an index that holds the
/// image (its digest unchanged) and one attestation manifest per image. The defaults are buildx's: provenance
/// <c>min</c> when the build pushes or writes an OCI layout, no SBOM.
/// </summary>
public sealed record AttestationOptions
{
    /// <summary>Whether to attach an SPDX SBOM of the packages the final image holds (<c>--sbom</c>).</summary>
    public bool Sbom { get; init; }

    /// <summary>The SBOM's format (<c>--sbom=format=cyclonedx</c>); SPDX unless asked.</summary>
    public SbomFormat SbomFormat { get; init; }

    /// <summary>
    /// The provenance level (<c>--provenance</c>), or null for buildx's default: <see cref="ProvenanceMode.Min"/> when
    /// the build pushes or writes an OCI layout (or <see cref="ProvenanceFile"/> asks for the statement), none for a
    /// build that only writes a tarball, as BuildKit's docker exporter drops the default provenance. See
    /// <c>docs/supply-chain.md</c> for what the default changes for kaniko users.
    /// </summary>
    public ProvenanceMode? Provenance { get; init; }

    /// <summary>The builder id recorded in the provenance (<c>--provenance=builder-id=URI</c>), or null for this tool's.</summary>
    public string? BuilderId { get; init; }

    /// <summary>Writes the SBOM's in-toto statement here too (<c>--sbom-file</c>), or null.</summary>
    public string? SbomFile { get; init; }

    /// <summary>Writes the provenance's in-toto statement here too (<c>--provenance-file</c>), or null.</summary>
    public string? ProvenanceFile { get; init; }

    /// <summary>
    /// The project's <c>project.assets.json</c> (the MSBuild SDK fills it): its direct package references are marked
    /// as such in the SBOM. Null when the build has no project.
    /// </summary>
    public string? ProjectAssetsFile { get; init; }

    /// <summary>Whether any attestation is asked for (a null <see cref="Provenance"/> counts as none: see <see cref="ForOutputs"/>).</summary>
    public bool Any => Sbom || Provenance is ProvenanceMode.Min or ProvenanceMode.Max;

    /// <summary>
    /// These options with <see cref="Provenance"/> decided for a build that pushes (<paramref name="pushes"/>) or
    /// writes an OCI layout (<paramref name="writesLayout"/>): buildx adds <c>mode=min</c> unless told otherwise, and
    /// only the outputs that carry an index (a registry, an OCI layout) keep it.
    /// </summary>
    internal AttestationOptions ForOutputs(bool pushes, bool writesLayout) =>
        Provenance is not null ? this : this with
        {
            Provenance = pushes || writesLayout || ProvenanceFile is not null ? ProvenanceMode.Min : ProvenanceMode.None,
        };

    /// <summary>
    /// Applies buildx's <c>BUILDX_NO_DEFAULT_ATTESTATIONS</c> setting, a Go boolean (<c>1</c>, <c>t</c>, <c>true</c>,
    /// <c>0</c>, <c>f</c>, <c>false</c>, in the cases buildx accepts): when true and no provenance was asked for, the
    /// default provenance is turned off. Anything else is <c>KANIKO5100</c>, as buildx refuses it.
    /// </summary>
    public AttestationOptions WithNoDefaultAttestations(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var off = value switch
        {
            "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
            "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
            _ => throw new KanikoException(DiagnosticCodes.InvalidAttestationOption,
                string.Format(CultureInfo.InvariantCulture, Strings.InvalidAttestationOption, "BUILDX_NO_DEFAULT_ATTESTATIONS", value, value)),
        };
        return off && Provenance is null ? this with { Provenance = ProvenanceMode.None } : this;
    }

    /// <summary>
    /// Parses a <c>--provenance</c> value as buildx does: <c>true</c>/<c>false</c>/<c>min</c>/<c>max</c>, or
    /// comma-separated <c>mode=min|max</c>, <c>disabled=true</c>, <c>builder-id=URI</c>; returns the options with the
    /// level (and builder id) set. Anything else is <c>KANIKO5100</c>.
    /// </summary>
    public AttestationOptions WithProvenance(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var mode = ProvenanceMode.Min;
        var builderId = BuilderId;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var at = part.IndexOf('=', StringComparison.Ordinal);
            var (key, setting) = at < 0 ? ("mode", part) : (part[..at], part[(at + 1)..]);
            mode = (key.ToLowerInvariant(), setting.ToLowerInvariant()) switch
            {
                ("mode", "min" or "true" or "1") => ProvenanceMode.Min,
                ("mode", "max") => ProvenanceMode.Max,
                ("mode", "false" or "0") or ("disabled", "true") => ProvenanceMode.None,
                ("disabled", "false") => mode,
                ("builder-id", _) when Uri.TryCreate(setting, UriKind.Absolute, out _) => Keep(mode, () => builderId = setting),
                _ => throw new KanikoException(DiagnosticCodes.InvalidAttestationOption,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidAttestationOption, "--provenance", value, part)),
            };
        }

        return this with { Provenance = mode, BuilderId = builderId };
    }

    /// <summary>
    /// Parses an <c>--sbom</c> value: <c>true</c>/<c>false</c>, buildx's <c>generator=...</c> and <c>disabled=</c>
    /// forms (any generator means this tool's own scanner), and this tool's <c>format=spdx|cyclonedx</c> (which
    /// turns the SBOM on).
    /// </summary>
    public AttestationOptions WithSbom(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var enabled = true;
        var format = SbomFormat;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            enabled = part.ToLowerInvariant() switch
            {
                "true" or "1" or "disabled=false" => true,
                "false" or "0" or "disabled=true" => false,
                "format=spdx" => Keep(enabled, () => format = SbomFormat.Spdx),
                "format=cyclonedx" => Keep(enabled, () => format = SbomFormat.CycloneDx),
                _ when part.StartsWith("generator=", StringComparison.OrdinalIgnoreCase) => enabled,
                _ => throw new KanikoException(DiagnosticCodes.InvalidAttestationOption,
                    string.Format(CultureInfo.InvariantCulture, Strings.InvalidAttestationOption, "--sbom", value, part)),
            };
        }

        return this with { Sbom = enabled, SbomFormat = format };
    }

    private static T Keep<T>(T value, Action action)
    {
        action();
        return value;
    }
}
