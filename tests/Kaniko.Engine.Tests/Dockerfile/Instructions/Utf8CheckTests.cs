using System.Text;
using Kaniko.Engine.Diagnostics;
using Kaniko.Engine.Oci;
using Kaniko.Engine.Planning;

namespace Kaniko.Engine.Tests.Dockerfile.Instructions;

/// <summary>Dockerfiles with bytes that are not UTF-8: refused at the instruction, never changed silently.</summary>
public class Utf8CheckTests
{
    [Theory]
    [InlineData("LABEL note=caf\u00e9\n", 3, 3)]
    [InlineData("RUN echo \\\n  caf\u00e9\n", 3, 4)]
    [InlineData("COPY <<EOF /note\ncaf\u00e9\nEOF\n", 3, 5)]
    public void A_byte_that_is_not_utf8_in_an_instruction_fails_at_its_lines(string instruction, int startLine, int endLine)
    {
        // The instruction written in Latin-1: the e with an accent is the lone byte 0xE9.
        var dockerfile = Encoding.Latin1.GetBytes("# caf\u00e9: a comment may hold any bytes\nFROM scratch\n" + instruction);

        var error = Assert.Throws<KanikoException>(() => KanikoPlanner.Plan(
            dockerfile, "Dockerfile", new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") }));

        Assert.Equal(DiagnosticCodes.DockerfileNotUtf8, error.Code);
        Assert.Equal((startLine, endLine), (error.Range?.StartLine, error.Range?.EndLine));
        Assert.StartsWith("byte 0xE9 is not UTF-8", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_in_comments_only_are_fine()
    {
        var dockerfile = Encoding.Latin1.GetBytes("# caf\u00e9\nFROM scratch\n# \u00ff\nLABEL note=caf\u00c3\u00a9\n");

        var plan = KanikoPlanner.Plan(
            dockerfile, "Dockerfile", new PlanRequest { BuildPlatform = Platform.Parse("linux/amd64") });

        Assert.Contains("LABEL note=caf\u00e9", plan.Target.Steps.Single().Instruction.Format(), StringComparison.Ordinal);
    }
}
