using Kaniko.Cli;
using Kaniko.Engine;

namespace Kaniko.Cli.Tests;

public sealed class AttestationFlagTests
{
    [Fact]
    public void Attestations_are_off_unless_asked_for()
    {
        var request = Bind("--destination", "reg.test/app:1");

        Assert.False(request.Attestations.Any);
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
