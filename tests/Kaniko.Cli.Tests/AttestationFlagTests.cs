using Kaniko.Cli;
using Kaniko.Engine;

namespace Kaniko.Cli.Tests;

public sealed class AttestationFlagTests
{
    // The default changed from "off" to buildx's: without flags the CLI leaves provenance to the engine, which
    // attaches min when the build pushes or writes an OCI layout; the SBOM stays off.
    [Fact]
    public void Without_flags_provenance_is_buildx_default_min_when_pushing_and_the_sbom_is_off()
    {
        var request = Bind("--destination", "reg.test/app:1");

        Assert.False(request.Attestations.Sbom);
        Assert.Null(request.Attestations.Provenance);
        Assert.Equal(ProvenanceMode.Min, request.Attestations.ForOutputs(pushes: true, writesLayout: false).Provenance);
        Assert.Equal(ProvenanceMode.Min, request.Attestations.ForOutputs(pushes: false, writesLayout: true).Provenance);
        Assert.Equal(ProvenanceMode.None, request.Attestations.ForOutputs(pushes: false, writesLayout: false).Provenance);
    }

    [Theory]
    [InlineData("--provenance=false")]
    [InlineData("--provenance=mode=false")]
    [InlineData("--provenance=disabled=true")]
    public void Provenance_false_turns_the_default_off(string flag)
    {
        var request = Bind("--destination", "reg.test/app:1", flag);

        Assert.Equal(ProvenanceMode.None, request.Attestations.ForOutputs(pushes: true, writesLayout: true).Provenance);
        Assert.False(request.Attestations.Any);
    }

    [Theory]
    [InlineData("1", null, ProvenanceMode.None)]
    [InlineData("true", null, ProvenanceMode.None)]
    [InlineData("0", null, ProvenanceMode.Min)]
    [InlineData("1", "--provenance=max", ProvenanceMode.Max)]
    public void BUILDX_NO_DEFAULT_ATTESTATIONS_turns_only_the_default_off(string value, string? flag, ProvenanceMode expected)
    {
        string[] args = flag is null ? ["--destination", "reg.test/app:1"] : ["--destination", "reg.test/app:1", flag];
        var request = BuildOptions.Bind(KanikoCommandLine.Create().Parse(["build", .. args]), name => name == "BUILDX_NO_DEFAULT_ATTESTATIONS" ? value : null);

        Assert.Equal(expected, request.Attestations.ForOutputs(pushes: true, writesLayout: false).Provenance);
    }

    [Fact]
    public void A_provenance_file_alone_asks_for_provenance_even_without_a_push()
    {
        var request = Bind("--no-push", "--tar-path", "image.tar", "--provenance-file", "p.jsonl");

        Assert.Equal(ProvenanceMode.Min, request.Attestations.ForOutputs(pushes: false, writesLayout: false).Provenance);
    }

    [Fact]
    public void Bare_flags_mean_true_and_min_as_in_buildx()
    {
        var request = Bind("--no-push", "--sbom", "--provenance", "--sbom-file", "s.jsonl", "--provenance-file", "p.jsonl");

        Assert.True(request.Attestations.Sbom);
        Assert.Equal(ProvenanceMode.Min, request.Attestations.Provenance);
        Assert.Equal(("s.jsonl", "p.jsonl"), (request.Attestations.SbomFile, request.Attestations.ProvenanceFile));
    }

    [Fact]
    public void Provenance_takes_buildx_settings()
    {
        var request = Bind("--no-push", "--sbom=false", "--provenance=mode=max,builder-id=https://ci.example/runs/7");

        Assert.False(request.Attestations.Sbom);
        Assert.Equal(ProvenanceMode.Max, request.Attestations.Provenance);
        Assert.Equal("https://ci.example/runs/7", request.Attestations.BuilderId);
    }

    private static BuildRequest Bind(params string[] args) =>
        BuildOptions.Bind(KanikoCommandLine.Create().Parse(["build", .. args]), _ => null);
}
