namespace Kaniko.Cli.Tests;

public class RootCommandTests
{
    [Fact]
    public void Help_exits_zero()
    {
        var exitCode = KanikoCommandLine.Create().Parse(["--help"]).Invoke(new() { Output = TextWriter.Null });
        Assert.Equal(0, exitCode);
    }
}
