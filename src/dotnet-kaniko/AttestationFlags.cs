using System.CommandLine;
using Kaniko.Engine;

namespace Kaniko.Cli;

/// <summary>
/// The attestation flags, named and parsed as buildx names them: <c>--sbom[=true|false]</c> and
/// <c>--provenance[=true|false|min|max|mode=…,builder-id=…]</c>, a bare flag meaning <c>true</c>; and the files
/// the statements are also written to.
/// </summary>
internal static class AttestationFlags
{
    internal static readonly Option<string?> Sbom = new("--sbom")
    {
        Description = "Attach an SBOM of the packages in the image (as docker buildx build --sbom): SPDX, or format=cyclonedx for CycloneDX 1.6. Off by default.",
        HelpName = "true|false|format=spdx|format=cyclonedx",
        Arity = ArgumentArity.ZeroOrOne,
    };

    internal static readonly Option<string?> Provenance = new("--provenance")
    {
        Description = "Attach a SLSA v1 provenance attestation: min (a bare flag) or max, mode=..., builder-id=URI, or false. Default: min when pushing or writing an OCI layout, as docker buildx build.",
        HelpName = "min|max|false",
        Arity = ArgumentArity.ZeroOrOne,
    };

    internal static readonly Option<string?> SbomFile = new("--sbom-file")
    {
        Description = "Also write the SBOM's in-toto statement (one line per platform) to this file.",
        HelpName = "PATH",
    };

    internal static readonly Option<string?> ProvenanceFile = new("--provenance-file")
    {
        Description = "Also write the provenance's in-toto statement (one line per platform) to this file.",
        HelpName = "PATH",
    };

    internal static IEnumerable<Option> All => [Sbom, Provenance, SbomFile, ProvenanceFile];

    /// <summary>
    /// The attestation settings of <paramref name="parse"/>; buildx's <c>BUILDX_NO_DEFAULT_ATTESTATIONS</c> in
    /// <paramref name="environment"/> turns the default provenance off, as it does for buildx.
    /// </summary>
    internal static AttestationOptions Bind(ParseResult parse, Func<string, string?> environment)
    {
        var options = new AttestationOptions { SbomFile = parse.GetValue(SbomFile), ProvenanceFile = parse.GetValue(ProvenanceFile) };
        if (parse.GetResult(Sbom) is not null)
        {
            options = options.WithSbom(parse.GetValue(Sbom) ?? "true");
        }

        if (parse.GetResult(Provenance) is not null)
        {
            options = options.WithProvenance(parse.GetValue(Provenance) ?? "true");
        }

        if (environment("BUILDX_NO_DEFAULT_ATTESTATIONS") is { Length: > 0 } noDefaults)
        {
            options = options.WithNoDefaultAttestations(noDefaults);
        }

        return options;
    }
}
